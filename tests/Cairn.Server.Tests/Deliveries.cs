using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cairn.Server.Tests;

/// <summary>Webhook deliveries shaped and signed as each forge documents them.</summary>
public static class Deliveries
{
    public const string ZeroSha = "0000000000000000000000000000000000000000";

    public static HttpRequestMessage GitHub(string eventName, object payload, string secret, string? delivery = null) =>
        Signed("/hooks/github", payload, new()
        {
            ["X-GitHub-Event"] = eventName,
            ["X-GitHub-Delivery"] = delivery ?? Guid.NewGuid().ToString(),
        }, body => new() { ["X-Hub-Signature-256"] = "sha256=" + Hmac(secret, body) });

    public static HttpRequestMessage Gitea(string eventName, object payload, string secret, string? delivery = null) =>
        Signed("/hooks/gitea", payload, new()
        {
            ["X-Gitea-Event"] = eventName,
            ["X-Gitea-Delivery"] = delivery ?? Guid.NewGuid().ToString(),
        }, body => new() { ["X-Gitea-Signature"] = Hmac(secret, body) });

    public static HttpRequestMessage GitLab(string eventName, object payload, string secret, string? delivery = null) =>
        Signed("/hooks/gitlab", payload, new()
        {
            ["X-Gitlab-Event"] = eventName,
            ["X-Gitlab-Event-UUID"] = delivery ?? Guid.NewGuid().ToString(),
        }, _ => new() { ["X-Gitlab-Token"] = secret });

    public static HttpRequestMessage Bitbucket(string eventKey, object payload, string secret, string? delivery = null) =>
        Signed("/hooks/bitbucket", payload, new()
        {
            ["X-Event-Key"] = eventKey,
            ["X-Request-UUID"] = delivery ?? Guid.NewGuid().ToString(),
        }, body => new() { ["X-Hub-Signature"] = "sha256=" + Hmac(secret, body) });

    /// <summary>A GitHub (and Gitea: the same shape) push payload.</summary>
    public static object GitHubPush(string repository, string gitRef, string before, string after, bool deleted = false) => new
    {
        @ref = gitRef,
        before,
        after,
        created = before == ZeroSha,
        deleted,
        forced = false,
        repository = new { full_name = repository, name = repository.Split('/')[1], owner = new { login = repository.Split('/')[0] } },
        pusher = new { name = "octo" },
        sender = new { login = "octo" },
        head_commit = deleted ? null : new { id = after, message = "change" },
    };

    public static object GitHubPullRequest(string repository, string action, int number, string baseBranch, string headBranch, string headSha, string baseSha, string? headRepository = null) => new
    {
        action,
        number,
        pull_request = new
        {
            number,
            title = "a change",
            head = new { @ref = headBranch, sha = headSha, repo = new { full_name = headRepository ?? repository } },
            @base = new { @ref = baseBranch, sha = baseSha, repo = new { full_name = repository } },
        },
        repository = new { full_name = repository },
        sender = new { login = "octo" },
    };

    public static object GitLabPush(string repository, string gitRef, string before, string after) => new
    {
        object_kind = "push",
        @ref = gitRef,
        before,
        after,
        checkout_sha = after,
        user_username = "octo",
        project = new { path_with_namespace = repository },
    };

    public static object BitbucketPush(string repository, string branch, string? oldHash, string newHash) => new
    {
        actor = new { nickname = "octo" },
        repository = new { full_name = repository },
        push = new
        {
            changes = new[]
            {
                new
                {
                    @new = new { type = "branch", name = branch, target = new { hash = newHash } },
                    old = oldHash is null ? null : new { type = "branch", name = branch, target = new { hash = oldHash } },
                },
            },
        },
    };

    public static string Hmac(string secret, byte[] body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static HttpRequestMessage Signed(string path, object payload, Dictionary<string, string> headers, Func<byte[], Dictionary<string, string>> sign)
    {
        var body = payload as byte[] ?? JsonSerializer.SerializeToUtf8Bytes(payload);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers.Concat(sign(body)))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
