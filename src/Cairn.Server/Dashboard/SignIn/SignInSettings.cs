using System.Net;

namespace Cairn.Server.Dashboard.SignIn;

/// <summary>The identity providers people may sign in through besides a token: an OpenID provider, GitHub, both or
/// neither. Secrets are named by file and read when the server starts, so no setting holds one.</summary>
public sealed record SignInSettings
{
    public static SignInSettings None { get; } = new();

    public OidcSignInSettings? Oidc { get; init; }

    public GitHubSignInSettings? GitHub { get; init; }

    /// <summary>The public GitHub's OAuth pages and REST API.</summary>
    public static readonly Uri GitHubDotCom = new("https://github.com/");
    public static readonly Uri GitHubDotComApi = new("https://api.github.com/");

    /// <summary>The settings' keys (in the Cairn section), variables and options, in the form of ServerSettings.Names.</summary>
    public static IReadOnlyList<(string Key, string Variable, string Option)> Names { get; } =
    [
        ("OidcAuthority", "CAIRN_OIDC_AUTHORITY", "--oidc-authority"),
        ("OidcClientId", "CAIRN_OIDC_CLIENT_ID", "--oidc-client-id"),
        ("OidcClientSecretFile", "CAIRN_OIDC_CLIENT_SECRET_FILE", "--oidc-client-secret-file"),
        ("OidcAllowedGroups", "CAIRN_OIDC_ALLOWED_GROUPS", "--oidc-allowed-groups"),
        ("OidcScopes", "CAIRN_OIDC_SCOPES", "--oidc-scopes"),
        ("OidcGroupsClaim", "CAIRN_OIDC_GROUPS_CLAIM", "--oidc-groups-claim"),
        ("OidcName", "CAIRN_OIDC_NAME", "--oidc-name"),
        ("GitHubClientId", "CAIRN_GITHUB_CLIENT_ID", "--github-client-id"),
        ("GitHubClientSecretFile", "CAIRN_GITHUB_CLIENT_SECRET_FILE", "--github-client-secret-file"),
        ("GitHubUrl", "CAIRN_GITHUB_URL", "--github-url"),
        ("GitHubApiUrl", "CAIRN_GITHUB_API_URL", "--github-api-url"),
        ("GitHubAllowedOrgs", "CAIRN_GITHUB_ALLOWED_ORGS", "--github-allowed-orgs"),
    ];

    private static readonly string[] OidcDependents = ["OidcClientId", "OidcClientSecretFile", "OidcAllowedGroups"];
    private static readonly string[] GitHubDependents = ["GitHubUrl", "GitHubApiUrl", "GitHubAllowedOrgs"];

    /// <summary>Reads the settings through <paramref name="get"/> (trimmed, null when unset), telling each problem to
    /// <paramref name="fail"/> (key, message).</summary>
    internal static SignInSettings Bind(Func<string, string?> get, Action<string, string> fail, string workingDirectory)
    {
        return new SignInSettings { Oidc = BindOidc(get, fail, workingDirectory), GitHub = BindGitHub(get, fail, workingDirectory) };
    }

    private static OidcSignInSettings? BindOidc(Func<string, string?> get, Action<string, string> fail, string workingDirectory)
    {
        var authorityText = get("OidcAuthority");
        if (authorityText is null)
        {
            foreach (var key in OidcDependents.Where(k => get(k) is not null))
            {
                fail(key, "is set, but there is no --oidc-authority to sign in at");
            }

            return null;
        }

        var authority = Address("OidcAuthority", authorityText, fail);
        var clientId = get("OidcClientId");
        if (clientId is null)
        {
            fail("OidcClientId", "signing in through an OpenID provider needs the client id Cairn is registered under");
        }

        var secretFile = get("OidcClientSecretFile") is { } file ? Path.GetFullPath(file, workingDirectory) : null;
        if (secretFile is null)
        {
            fail("OidcClientSecretFile", "signing in through an OpenID provider needs a file holding the client's secret");
        }

        var groupsClaim = get("OidcGroupsClaim") ?? "groups";
        var scopes = List(get("OidcScopes") ?? "openid profile email groups");
        if (!scopes.Contains("openid", StringComparer.Ordinal))
        {
            scopes = ["openid", .. scopes];
        }

        return authority is null || clientId is null || secretFile is null
            ? null
            : new OidcSignInSettings(authority, clientId, secretFile, List(get("OidcAllowedGroups") ?? ""), scopes, groupsClaim, get("OidcName") ?? authority.Host);
    }

    private static GitHubSignInSettings? BindGitHub(Func<string, string?> get, Action<string, string> fail, string workingDirectory)
    {
        var clientId = get("GitHubClientId");
        var secretFile = get("GitHubClientSecretFile") is { } file ? Path.GetFullPath(file, workingDirectory) : null;
        if (clientId is null && secretFile is null)
        {
            foreach (var key in GitHubDependents.Where(k => get(k) is not null))
            {
                fail(key, "is set, but there is no --github-client-id to sign in with");
            }

            return null;
        }

        if (clientId is null)
        {
            fail("GitHubClientId", "signing in with GitHub needs the OAuth app's client id");
        }

        if (secretFile is null)
        {
            fail("GitHubClientSecretFile", "signing in with GitHub needs a file holding the OAuth app's client secret");
        }

        var url = get("GitHubUrl") is { } urlText ? Address("GitHubUrl", urlText, fail) : GitHubDotCom;
        var api = get("GitHubApiUrl") is { } apiText ? Address("GitHubApiUrl", apiText, fail)
            : url is null ? null
            : url == GitHubDotCom ? GitHubDotComApi
            : new Uri(url, "api/v3/");
        return clientId is null || secretFile is null || url is null || api is null
            ? null
            : new GitHubSignInSettings(clientId, secretFile, url, api, List(get("GitHubAllowedOrgs") ?? ""));
    }

    /// <summary>An https:// address (http:// only on this machine, for trying things out), ending in a slash.</summary>
    private static Uri? Address(string key, string text, Action<string, string> fail)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            fail(key, $"'{text}' is not an https:// address");
            return null;
        }

        if (uri.Scheme == "http" && !IsLoopback(uri))
        {
            fail(key, $"'{text}' is not https://: sign-in answers carry tokens, so only an address on this machine may be plain http://");
            return null;
        }

        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    internal static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address));

    private static List<string> List(string text) =>
        [.. text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal)];
}

/// <summary>Signing in through an OpenID provider: Cairn is a confidential client of <paramref name="Authority"/>.</summary>
/// <param name="AllowedGroups">When not empty, only members of one of these groups may sign in.</param>
/// <param name="GroupsClaim">The claim that lists the person's groups.</param>
/// <param name="Name">What the sign-in button calls the provider.</param>
public sealed record OidcSignInSettings(
    Uri Authority, string ClientId, string ClientSecretFile, IReadOnlyList<string> AllowedGroups, IReadOnlyList<string> Scopes, string GroupsClaim, string Name);

/// <summary>Signing in with GitHub (or GitHub Enterprise at <paramref name="Url"/>) through an OAuth app.</summary>
/// <param name="AllowedOrgs">When not empty, only members of one of these organisations may sign in.</param>
public sealed record GitHubSignInSettings(string ClientId, string ClientSecretFile, Uri Url, Uri ApiUrl, IReadOnlyList<string> AllowedOrgs);
