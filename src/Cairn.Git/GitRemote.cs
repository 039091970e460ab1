using System.Text;

namespace Cairn.Git;

/// <summary>A clone URL checked for a transport Cairn fetches over, with the token turned into an http header that
/// reaches git only through its environment (never the command line, never a file), and a form safe to print.</summary>
internal sealed class GitRemote
{
    private static readonly string[] Schemes = ["https", "http", "ssh", "git", "file"];

    private GitRemote(string url, string display, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string> secrets)
    {
        Url = url;
        Display = display;
        Environment = environment;
        Secrets = secrets;
    }

    /// <summary>What git is given.</summary>
    public string Url { get; }

    /// <summary>The URL without any password: what messages show.</summary>
    public string Display { get; }

    /// <summary>Variables that configure the credentials for this one git process.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Every form of the credentials that git's output could echo, to be removed from it.</summary>
    public IReadOnlyList<string> Secrets { get; }

    /// <summary>Checks <paramref name="cloneUrl"/> and prepares the token. A token is used for http(s) URLs only;
    /// the user name sent with it is the URL's own, else <paramref name="defaultUser"/>.</summary>
    /// <exception cref="GitException">The URL is not one git should be handed.</exception>
    public static GitRemote Create(string? cloneUrl, string? token, string defaultUser)
    {
        if (string.IsNullOrWhiteSpace(cloneUrl) || cloneUrl.StartsWith('-') || cloneUrl.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            throw new GitException($"'{Redact(Anonymize(cloneUrl ?? ""), [token])}' is not a clone URL Cairn can fetch from");
        }

        var schemeEnd = cloneUrl.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            // A local path or scp-like ssh (git@host:owner/repo.git): no userinfo to worry about beyond the ssh user.
            if (cloneUrl.StartsWith('/') || IsScpLike(cloneUrl))
            {
                return new GitRemote(cloneUrl, cloneUrl, new Dictionary<string, string>(), Collect(token));
            }

            throw new GitException($"'{Redact(cloneUrl, [token])}' is not a clone URL Cairn can fetch from: use https://, ssh://, git:// or file://");
        }

        var scheme = cloneUrl[..schemeEnd].ToLowerInvariant();
        if (!Schemes.Contains(scheme))
        {
            throw new GitException($"'{Redact(Anonymize(cloneUrl), [token])}' is not a clone URL Cairn can fetch from: use https://, ssh://, git:// or file://");
        }

        var (user, password, bare) = SplitUserInfo(cloneUrl, schemeEnd + 3);
        var secrets = Collect(token, password, password is null ? null : Uri.UnescapeDataString(password));
        var display = Anonymize(cloneUrl);
        if (token is not { Length: > 0 } || scheme is not ("http" or "https"))
        {
            return new GitRemote(cloneUrl, display, new Dictionary<string, string>(), secrets);
        }

        if (!Uri.TryCreate(bare, UriKind.Absolute, out var uri))
        {
            throw new GitException($"'{display}' is not a clone URL Cairn can fetch from");
        }

        var name = user is { Length: > 0 } ? Uri.UnescapeDataString(user) : defaultUser;
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{name}:{token}"));

        // Scoped to this server, so that a redirect elsewhere does not carry the token along.
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GIT_CONFIG_COUNT"] = "1",
            ["GIT_CONFIG_KEY_0"] = $"http.{uri.Scheme}://{uri.Authority}/.extraHeader",
            ["GIT_CONFIG_VALUE_0"] = $"Authorization: Basic {basic}",
        };
        return new GitRemote(bare, display, environment, [.. secrets, basic]);
    }

    /// <summary>Removes every secret from text that may be shown: git's messages, URLs.</summary>
    public static string Redact(string text, IEnumerable<string?> secrets)
    {
        foreach (var secret in secrets.Where(s => !string.IsNullOrEmpty(s)).OrderByDescending(s => s!.Length))
        {
            text = text.Replace(secret!, "***", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>A URL without the password of its userinfo (<c>https://user:pw@host/x</c> → <c>https://user@host/x</c>).</summary>
    public static string Anonymize(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return url;
        }

        var (user, password, bare) = SplitUserInfo(url, schemeEnd + 3);
        if (password is null)
        {
            return url;
        }

        var authority = schemeEnd + 3;
        return user is { Length: > 0 } ? $"{bare[..authority]}{user}@{bare[authority..]}" : bare;
    }

    private static (string? User, string? Password, string Bare) SplitUserInfo(string url, int authorityStart)
    {
        var pathStart = url.IndexOf('/', authorityStart);
        var authorityEnd = pathStart < 0 ? url.Length : pathStart;
        var at = url.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
        if (at < 0)
        {
            return (null, null, url);
        }

        var userInfo = url[authorityStart..at];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        var user = colon < 0 ? userInfo : userInfo[..colon];
        var password = colon < 0 ? null : userInfo[(colon + 1)..];
        return (user, password, url[..authorityStart] + url[(at + 1)..]);
    }

    private static bool IsScpLike(string url)
    {
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        var slash = url.IndexOf('/', StringComparison.Ordinal);
        return colon > 0 && (slash < 0 || colon < slash);
    }

    private static List<string> Collect(params string?[] values) => [.. values.Where(v => !string.IsNullOrEmpty(v)).Select(v => v!)];
}
