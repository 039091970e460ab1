using System.Net;
using System.Net.Http.Headers;
using Cairn.Server.Hosting;

namespace Cairn.Server.Tests.Authorization;

/// <summary><c>--admin-token-file</c>: the operator's own admin token (a mounted Secret), the same on every replica,
/// replacing a token the server made before; and the refusals of a token that would be weak or a contradictory start.</summary>
public sealed class AdminTokenFileTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public async Task The_token_in_the_file_opens_the_api_and_the_token_the_server_made_before_no_longer_does()
    {
        string made;
        await using (var first = await ServerHarness.StartAsync(data.Path))
        {
            made = first.Token;
        }

        var file = data.Combine("given-admin-token");
        var given = "given-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        await File.WriteAllTextAsync(file, given + "\n", TestContext.Current.CancellationToken);

        await using var server = await ServerHarness.StartAsync(data.Path, settings => settings["AdminTokenFile"] = file);
        var cancellation = TestContext.Current.CancellationToken;

        Assert.Equal(given, server.Token);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/api/v1/me", cancellation)).StatusCode);
        using var old = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", made) } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous.SendAsync(old, cancellation)).StatusCode);
        Assert.False(File.Exists(Path.Combine(data.Path, AdminToken.FileName)), "the made token's file, which opens nothing now, is removed");
    }

    [Fact]
    public async Task Two_replicas_given_the_same_file_both_accept_it()
    {
        var file = data.Combine("given-admin-token");
        var given = "shared-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        await File.WriteAllTextAsync(file, given, TestContext.Current.CancellationToken);

        await using var one = await ServerHarness.StartAsync(data.Path, settings => settings["AdminTokenFile"] = file);
        await using var two = await ServerHarness.StartAsync(data.Path, settings => settings["AdminTokenFile"] = file);

        Assert.Equal(HttpStatusCode.OK, (await one.Client.GetAsync("/api/v1/me", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await two.Client.GetAsync("/api/v1/me", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("a token with spaces in it that is long enough to pass")]
    public async Task A_weak_or_malformed_token_stops_the_start_with_a_sentence(string text)
    {
        var file = data.Combine("weak-admin-token");
        await File.WriteAllTextAsync(file, text, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ServerStartException>(() => ServerHarness.StartAsync(data.Path, settings => settings["AdminTokenFile"] = file));

        Assert.Contains($"at least {AdminToken.ShortestGiven} characters", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_a_settings_error_naming_the_flag()
    {
        var (settings, errors) = ServerSettings.Bind(
            ServerSettings.Compose(null, new Dictionary<string, string?>(), new Dictionary<string, string?> { ["Data"] = data.Path, ["AdminTokenFile"] = data.Combine("nowhere") }),
            data.Path);

        Assert.Null(settings);
        Assert.Contains(errors, e => e.StartsWith("--admin-token-file / CAIRN_ADMIN_TOKEN_FILE / Cairn:AdminTokenFile: there is no admin token file", StringComparison.Ordinal));
    }
}
