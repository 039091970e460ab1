using Cairn.Core.Access;
using Cairn.Server.Dashboard.SignIn;
using Cairn.Server.Hosting;

namespace Cairn.Server.Tests;

/// <summary>The identity providers' settings: read from flags, variables and appsettings like every setting, refused
/// in plain words when they cannot work, and their secrets never printed.</summary>
public sealed class SignInSettingsTests
{
    private static (ServerSettings? Settings, IReadOnlyList<string> Errors) Bind(
        IReadOnlyDictionary<string, string?> flags, IReadOnlyDictionary<string, string?>? environment = null, string? json = null) =>
        ServerSettings.Bind(ServerSettings.Compose(json, environment ?? new Dictionary<string, string?>(), flags), "/srv/cairn");

    [Fact]
    public void An_openid_provider_is_read_with_its_defaults()
    {
        var (settings, errors) = Bind(new Dictionary<string, string?>
        {
            ["OidcAuthority"] = "https://id.example.com/realms/ci",
            ["OidcClientId"] = "cairn",
            ["OidcClientSecretFile"] = "oidc.secret",
            ["OidcAllowedGroups"] = "ci-admins, developers",
        });

        Assert.Empty(errors);
        var oidc = settings!.SignIn.Oidc!;
        Assert.Equal("https://id.example.com/realms/ci/", oidc.Authority.AbsoluteUri);
        Assert.Equal("/srv/cairn/oidc.secret", oidc.ClientSecretFile);
        Assert.Equal(["ci-admins", "developers"], oidc.AllowedGroups);
        Assert.Equal(["openid", "profile", "email", "groups"], oidc.Scopes);
        Assert.Equal("groups", oidc.GroupsClaim);
        Assert.Equal("id.example.com", oidc.Name);
        Assert.Null(settings.SignIn.GitHub);
    }

    [Fact]
    public void GitHub_comes_from_variables_and_appsettings_and_enterprise_gets_its_api_under_api_v3()
    {
        using var dir = new TempDirectory();
        var json = dir.WriteFile("appsettings.json", """{ "Cairn": { "GitHubUrl": "https://git.example.com", "GitHubAllowedOrgs": "octo-org" } }""");

        var (settings, errors) = Bind(
            new Dictionary<string, string?>(),
            new Dictionary<string, string?> { ["CAIRN_GITHUB_CLIENT_ID"] = "Iv1.abc", ["CAIRN_GITHUB_CLIENT_SECRET_FILE"] = "/run/gh.secret" },
            json);

        Assert.Empty(errors);
        var github = settings!.SignIn.GitHub!;
        Assert.Equal("Iv1.abc", github.ClientId);
        Assert.Equal("https://git.example.com/", github.Url.AbsoluteUri);
        Assert.Equal("https://git.example.com/api/v3/", github.ApiUrl.AbsoluteUri);
        Assert.Equal(["octo-org"], github.AllowedOrgs);

        var (dotCom, _) = Bind(new Dictionary<string, string?> { ["GitHubClientId"] = "x", ["GitHubClientSecretFile"] = "/s" });
        Assert.Equal("https://api.github.com/", dotCom!.SignIn.GitHub!.ApiUrl.AbsoluteUri);
    }

    [Fact]
    public void Settings_that_cannot_work_are_refused_naming_the_flag()
    {
        var (settings, errors) = Bind(new Dictionary<string, string?>
        {
            ["OidcAuthority"] = "http://id.example.com",
            ["GitHubClientId"] = "x",
            ["GitHubUrl"] = "http://github.internal",
        });

        Assert.Null(settings);
        Assert.Contains(errors, e => e.StartsWith("--oidc-authority / CAIRN_OIDC_AUTHORITY / Cairn:OidcAuthority:", StringComparison.Ordinal) && e.Contains("https", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--oidc-client-id", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--oidc-client-secret-file", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--github-client-secret-file", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--github-url", StringComparison.Ordinal));

        var (_, orphans) = Bind(new Dictionary<string, string?> { ["OidcClientId"] = "cairn", ["GitHubAllowedOrgs"] = "o" });
        Assert.Contains(orphans, e => e.StartsWith("--oidc-client-id", StringComparison.Ordinal) && e.Contains("--oidc-authority", StringComparison.Ordinal));
        Assert.Contains(orphans, e => e.StartsWith("--github-allowed-orgs", StringComparison.Ordinal) && e.Contains("--github-client-id", StringComparison.Ordinal));
    }

    [Fact]
    public void Plain_http_is_allowed_only_on_this_machine()
    {
        var (settings, errors) = Bind(new Dictionary<string, string?>
        {
            ["OidcAuthority"] = "http://127.0.0.1:5556/dex",
            ["OidcClientId"] = "cairn",
            ["OidcClientSecretFile"] = "/s",
        });

        Assert.Empty(errors);
        Assert.Equal("http://127.0.0.1:5556/dex/", settings!.SignIn.Oidc!.Authority.AbsoluteUri);
    }

    [Fact]
    public async Task A_missing_secret_file_stops_the_server_with_a_plain_message_and_a_secret_is_never_printed()
    {
        using var data = new TempDirectory();
        var secret = data.WriteFile("oidc.secret", "very-secret-value\n");
        var refused = await Assert.ThrowsAsync<ServerStartException>(() => ServerHarness.StartAsync(data.Combine("data"), given =>
        {
            given["OidcAuthority"] = "https://id.example.com";
            given["OidcClientId"] = "cairn";
            given["OidcClientSecretFile"] = data.Combine("missing.secret");
        }));
        Assert.StartsWith("--oidc-client-secret-file: cannot read the client secret from", refused.Message, StringComparison.Ordinal);

        var (settings, errors) = Bind(new Dictionary<string, string?>
        {
            ["OidcAuthority"] = "https://id.example.com",
            ["OidcClientId"] = "cairn",
            ["OidcClientSecretFile"] = secret,
        });
        Assert.Empty(errors);
        Assert.DoesNotContain("very-secret-value", settings!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_provider_that_cannot_be_reached_sends_the_person_back_to_sign_in_with_a_sentence()
    {
        using var data = new TempDirectory();
        var secret = data.WriteFile("oidc.secret", "s3cret\n");
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var server = await ServerHarness.StartAsync(data.Combine("data"), given =>
        {
            given["OidcAuthority"] = $"http://127.0.0.1:{port}";
            given["OidcClientId"] = "cairn";
            given["OidcClientSecretFile"] = secret;
        });
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(server.Url) };

        var started = await browser.GetAsync("/login/oidc?return=/runs");
        var page = await browser.GetStringAsync(started.Headers.Location!.OriginalString);

        Assert.Equal(System.Net.HttpStatusCode.Redirect, started.StatusCode);
        Assert.Equal($"/login?failed={SignInRefusal.Unreachable}", started.Headers.Location.OriginalString);
        Assert.Contains("cannot be reached just now", page, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_user_is_named_after_what_the_provider_calls_them_within_the_name_rule()
    {
        static string Name(string? preferred, string? email) => ExternalSignIn.BaseName(new ExternalPerson(UserSource.Oidc, "s", preferred, email, []));

        Assert.Equal("ada", Name("ada", "someone@example.com"));
        Assert.Equal("grace.hopper", Name(null, "grace.hopper@example.com"));
        Assert.Equal("J-rg-M-ller", Name("Jörg Müller", null));
        Assert.Equal("user", Name(null, null));
        Assert.Equal("user", Name("???", null));
    }
}
