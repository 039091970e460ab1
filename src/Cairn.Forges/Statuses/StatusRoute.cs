using System.Diagnostics.CodeAnalysis;
using Cairn.Core.Forges;
using Cairn.Forges.Webhooks;

namespace Cairn.Forges.Statuses;

/// <summary>How a forge names a repository in its API paths.</summary>
internal enum RepositoryShape
{
    /// <summary><c>owner/name</c>, each a path segment (GitHub, Gitea, Bitbucket's workspace and slug).</summary>
    OwnerAndName,

    /// <summary>A path with any depth of namespaces, sent as one encoded segment (GitLab).</summary>
    Path,
}

/// <summary>A <see cref="StatusTarget"/> checked before anything is sent: an http(s) API URL, a repository name
/// that cannot climb out of its path, a SHA of hex digits and a token that can go in a header. A target that fails
/// would fail the same way every time, so it is rejected, not retried.</summary>
internal sealed class StatusRoute
{
    private readonly string[] _segments;

    private StatusRoute(string apiBase, string repository, string[] segments, string sha, string? token)
    {
        ApiBase = apiBase;
        Repository = repository;
        _segments = segments;
        Sha = sha;
        Token = token;
    }

    /// <summary>The API URL without a trailing slash.</summary>
    public string ApiBase { get; }

    public string Repository { get; }

    public string Sha { get; }

    public string? Token { get; }

    public static bool TryCreate(
        StatusTarget target,
        string defaultApiUrl,
        RepositoryShape shape,
        [NotNullWhen(true)] out StatusRoute? route,
        [NotNullWhen(false)] out string? problem)
    {
        route = null;
        var apiUrl = string.IsNullOrWhiteSpace(target.ApiUrl) ? defaultApiUrl : target.ApiUrl.Trim();
        if (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https") ||
            api.Query.Length > 0 || api.Fragment.Length > 0)
        {
            problem = $"the API URL '{WebhookEvents.Quote(apiUrl)}' is not an http(s) URL";
            return false;
        }

        var segments = (target.Repository ?? "").Split('/');
        var wellFormed = segments.All(s => s.Length > 0 && s is not ("." or "..") && !s.Any(char.IsControl));
        if (!wellFormed || (shape == RepositoryShape.OwnerAndName ? segments.Length != 2 : segments.Length < 1))
        {
            problem = shape == RepositoryShape.OwnerAndName
                ? $"the repository '{WebhookEvents.Quote(target.Repository ?? "")}' is not owner/name"
                : $"the repository '{WebhookEvents.Quote(target.Repository ?? "")}' is not a project path";
            return false;
        }

        if (!WebhookEvents.IsSha(target.Sha))
        {
            problem = $"'{WebhookEvents.Quote(target.Sha ?? "")}' is not a commit SHA";
            return false;
        }

        var token = string.IsNullOrEmpty(target.Token) ? null : target.Token;
        if (token is not null && token.Any(char.IsControl))
        {
            problem = "the token holds control characters";
            return false;
        }

        route = new StatusRoute(apiUrl.TrimEnd('/'), target.Repository!, segments, target.Sha.ToLowerInvariant(), token);
        problem = null;
        return true;
    }

    /// <summary>Part <paramref name="index"/> of the repository's name, escaped for a path.</summary>
    public string Segment(int index) => Uri.EscapeDataString(_segments[index]);

    /// <summary>The URL of <paramref name="path"/> (already escaped) under the API.</summary>
    public Uri Endpoint(string path) => new($"{ApiBase}/{path}");

    /// <summary>Sets <c>Authorization: {scheme} {token}</c> when there is a token.</summary>
    public void Authorize(HttpRequestMessage request, string scheme)
    {
        if (Token is not null)
        {
            request.Headers.Authorization = new(scheme, Token);
        }
    }
}
