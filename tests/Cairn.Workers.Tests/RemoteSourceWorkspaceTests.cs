using System.Diagnostics;
using Cairn.Core.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Cairn.Workers.Tests;

/// <summary>The workspace fetched from a real bare repository, served over git's smart HTTP protocol by
/// <c>git http-backend</c> behind a loopback server that takes only the lease's source token.</summary>
public sealed class RemoteSourceWorkspaceTests : IDisposable
{
    private const string SourceToken = "source-token-abc";
    private readonly TempDirectory _dir = new();
    private readonly List<string> _authorizations = [];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Prepare_ChecksOutTheRunsCommit_WithTheTokenOnlyInGitsEnvironment()
    {
        var sha = await MakeRepositoryAsync();
        await using var server = await ServeAsync();
        var (workspaces, _, grant) = Prepare(server, sha);

        var workspace = await workspaces.PrepareAsync(grant.Job.ToRecord(), grant.Run.ToRecord(), TestContext.Current.CancellationToken);

        Assert.Equal("hello from the commit\n", await File.ReadAllTextAsync(Path.Combine(workspace, "README"), TestContext.Current.CancellationToken));
        Assert.Equal(sha, (await GitAsync(workspace, "rev-parse", "HEAD")).Trim());
        Assert.DoesNotContain(SourceToken, await File.ReadAllTextAsync(Path.Combine(workspace, ".git", "config"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        lock (_authorizations)
        {
            Assert.All(_authorizations, a => Assert.Equal($"Bearer {SourceToken}", a));
            Assert.NotEmpty(_authorizations);
        }

        await workspaces.ReleaseAsync(grant.Job.ToRecord(), workspace, TestContext.Current.CancellationToken);
        Assert.False(Directory.Exists(workspace));
    }

    [Fact]
    public async Task Prepare_WithARefusedToken_FailsWithGitsWords_AndLeavesNothing()
    {
        var sha = await MakeRepositoryAsync();
        await using var server = await ServeAsync();
        var (workspaces, _, grant) = Prepare(server, sha, token: "not-the-token");

        var failure = await Assert.ThrowsAsync<IOException>(() =>
            workspaces.PrepareAsync(grant.Job.ToRecord(), grant.Run.ToRecord(), TestContext.Current.CancellationToken));

        Assert.StartsWith("git fetch failed", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-token", failure.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dir.Combine("workspaces")));
    }

    private (RemoteSourceWorkspace Workspaces, RemoteLeases Leases, LeaseGrant Grant) Prepare(LoopbackServer server, string sha, string token = SourceToken)
    {
        var grant = ContractServer.NewGrant(sourcePath: WorkerPaths.Git("acme/app")) with { SourceToken = token };
        grant = grant with { Run = grant.Run with { Sha = sha } };
        var connection = new WorkerConnection(new WorkerConnectionOptions(server.Url, "cairnw_token"));
        var leases = new RemoteLeases();
        leases.Add(new RemoteLease(grant, new LogSpool(_dir.Combine("spool"), new SpoolBudget(), (_, _) => Task.CompletedTask)));
        Directory.CreateDirectory(_dir.Combine("workspaces"));
        return (new RemoteSourceWorkspace(_dir.Combine("workspaces"), connection, leases), leases, grant);
    }

    private async Task<string> MakeRepositoryAsync()
    {
        var work = _dir.Combine("work");
        Directory.CreateDirectory(work);
        await GitAsync(work, "init", "-q", "-b", "main");
        await File.WriteAllTextAsync(Path.Combine(work, "README"), "hello from the commit\n", TestContext.Current.CancellationToken);
        await GitAsync(work, "add", "README");
        await GitAsync(work, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "first");
        var sha = (await GitAsync(work, "rev-parse", "HEAD")).Trim();
        Directory.CreateDirectory(_dir.Combine("repos", "acme"));
        await GitAsync(_dir.Path, "clone", "-q", "--bare", work, _dir.Combine("repos", "acme", "app.git"));
        await GitAsync(_dir.Combine("repos", "acme", "app.git"), "config", "uploadpack.allowReachableSHA1InWant", "true");
        return sha;
    }

    /// <summary>A CGI bridge to <c>git http-backend</c> for <c>/git/…</c>, for the bearer of the source token only.</summary>
    private Task<LoopbackServer> ServeAsync() => LoopbackServer.StartAsync(app => app.Map("/git/{**path}", async (HttpContext context, string path) =>
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        lock (_authorizations)
        {
            _authorizations.Add(authorization);
        }

        if (authorization != $"Bearer {SourceToken}")
        {
            context.Response.StatusCode = 401;
            return;
        }

        var start = new ProcessStartInfo("git", ["http-backend"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment["GIT_PROJECT_ROOT"] = _dir.Combine("repos");
        start.Environment["GIT_HTTP_EXPORT_ALL"] = "1";
        start.Environment["PATH_INFO"] = "/" + path;
        start.Environment["REQUEST_METHOD"] = context.Request.Method;
        start.Environment["QUERY_STRING"] = context.Request.QueryString.Value?.TrimStart('?') ?? "";
        start.Environment["CONTENT_TYPE"] = context.Request.ContentType ?? "";
        start.Environment["HTTP_CONTENT_ENCODING"] = context.Request.Headers.ContentEncoding.ToString();
        start.Environment["GIT_PROTOCOL"] = context.Request.Headers["Git-Protocol"].ToString();
        using var git = Process.Start(start)!;
        await context.Request.Body.CopyToAsync(git.StandardInput.BaseStream, context.RequestAborted);
        git.StandardInput.Close();
        var output = git.StandardOutput.BaseStream;
        while (await ReadHeaderAsync(output) is { Length: > 0 } header)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            var (name, value) = (header[..colon].Trim(), header[(colon + 1)..].Trim());
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = int.Parse(value[..3], System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                context.Response.Headers.Append(name, value);
            }
        }

        await output.CopyToAsync(context.Response.Body, context.RequestAborted);
        await git.WaitForExitAsync(context.RequestAborted);
    }));

    private static async Task<string> ReadHeaderAsync(Stream stream)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1 && one[0] != '\n')
        {
            if (one[0] != '\r')
            {
                line.Add(one[0]);
            }
        }

        return System.Text.Encoding.ASCII.GetString([.. line]);
    }

    private static async Task<string> GitAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git", arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var git = Process.Start(start)!;
        var output = await git.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = await git.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await git.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)}: {error}");
        return output;
    }
}
