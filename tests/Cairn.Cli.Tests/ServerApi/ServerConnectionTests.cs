using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Cairn.Cli.Tests.ServerApi;

public sealed class ServerConnectionTests : ServerCliTest
{
    [Fact]
    public async Task TheToken_ComesFromTokenFile_ThenCairnToken_ThenTheDataDirectory()
    {
        Dir.WriteFile("cairn-data/admin.token", "from-data-dir\n");
        Dir.WriteFile("my.token", "  from-token-file\n");

        await CairnAsync(Env(token: "from-variable"), "runs", "--token-file", "my.token");
        await CairnAsync(Env(token: "from-variable"), "runs");
        await CairnAsync(Env(token: null), "runs");
        File.Delete(Dir.Combine("cairn-data/admin.token"));
        await CairnAsync(Env(token: null), "runs");

        Assert.Equal(
            ["Bearer from-token-file", "Bearer from-variable", "Bearer from-data-dir", null],
            Server.Requests.Select(r => r.Authorization));
        Assert.All(Server.Requests, r => Assert.Equal("cairn", r.UserAgent));
    }

    [Fact]
    public async Task TheTokenFile_MayBeStdin()
    {
        var result = await CairnProcess.RunWithStdinAsync(Dir.Path, Env(token: null), FakeCairnServer.Token + "\n", "runs", "--token-file", "-");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"Bearer {FakeCairnServer.Token}", Assert.Single(Server.Requests).Authorization);
    }

    [Fact]
    public async Task ARefusedToken_IsTheServersDetail_AndSaysWhereTheTokenCameFrom_Exit1()
    {
        var wrong = await CairnAsync(Env(token: "cairn_wrong"), "runs");
        var none = await CairnAsync(Env(token: null), "show", "3");

        Assert.True(wrong.ExitCode == 1, wrong.ToString());
        var lines = Lines(wrong.Stderr);
        Assert.Equal("error: the API needs the admin token as 'Authorization: Bearer <token>'", lines[0]);
        Assert.Equal("the token came from $CAIRN_TOKEN; it is read from --token-file FILE, else $CAIRN_TOKEN, else ./cairn-data/admin.token", lines[1]);
        Assert.DoesNotContain("cairn_wrong", wrong.Stderr, StringComparison.Ordinal);
        Assert.Empty(wrong.Stdout);
        Assert.True(none.ExitCode == 1, none.ToString());
        Assert.StartsWith("no API token was found", Lines(none.Stderr)[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheServerOption_GoesBeforeCairnServer()
    {
        await using var other = await FakeCairnServer.StartAsync();

        var result = await CairnAsync("runs", "--server", other.Url);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(other.Requests);
        Assert.Empty(Server.Requests);
    }

    [Theory]
    [InlineData("runs")]
    [InlineData("repo", "list")]
    [InlineData("trigger", "acme/widgets", "--ref", "main", "--wait")]
    [InlineData("logs", "5", "--job", "build")]
    public async Task AServerThatIsNotThere_IsSaidInOneLine_Exit1(params string[] args)
    {
        var url = $"http://127.0.0.1:{ClosedPort()}";

        var result = await CairnAsync([.. args, "--server", url]);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal($"error: cannot reach the Cairn server at {url}: Connection refused", result.Stderr.Trim());
        Assert.Empty(result.Stdout);
    }

    [Theory]
    [InlineData("ftp://files.example", "--server: 'ftp://files.example' is not an http:// or https:// address")]
    [InlineData("localhost:8080", "--server: 'localhost:8080' is not an http:// or https:// address")]
    public async Task ABadServerAddress_IsAUsageError(string url, string said)
    {
        var result = await CairnAsync("runs", "--server", url);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal($"error: {said}", result.Stderr.Trim());
    }

    [Fact]
    public async Task ABadCairnServerVariable_IsNamed()
    {
        var env = Env();
        env["CAIRN_SERVER"] = "not a url";

        var result = await CairnAsync(env, "runs");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("error: CAIRN_SERVER: 'not a url' is not an http:// or https:// address", result.Stderr.Trim());
    }

    [Fact]
    public async Task AnAnswerThatIsNotCairns_IsSaidInASentence_WithoutTheBody()
    {
        Server.Override = async context =>
        {
            context.Response.StatusCode = 502;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><body>Bad Gateway from the proxy</body></html>", context.RequestAborted);
        };

        var result = await CairnAsync("show", "3");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal($"error: the server at {Server.Url} answered GET /api/v1/runs/3 with 502 Bad Gateway (text/html)", result.Stderr.Trim());
        AssertNoStackTrace(result);
    }

    [Fact]
    public async Task ASuccessThatIsNotTheApisJson_IsSaidInASentence()
    {
        Server.Override = async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"id":"three"}""", context.RequestAborted);
        };

        var result = await CairnAsync("show", "3");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith(
            $"error: the server at {Server.Url} answered GET /api/v1/runs/3 with JSON this cairn does not understand:",
            result.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(result);
    }

    [Fact]
    public async Task AServerUnderAPath_IsAskedUnderThatPath()
    {
        Server.Override = async context => await context.Response.WriteAsync("""{"items":[],"next":null}""", context.RequestAborted);

        var result = await CairnAsync("runs", "--server", Server.Url + "/cairn");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/cairn/api/v1/runs", Assert.Single(Server.Requests).Path);
        Assert.Equal("no runs", result.Stdout.Trim());
    }

    // A port that was just free and nothing listens on: connecting is refused at once.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
