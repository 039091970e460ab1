using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Cairn.Core.Runs;
using Cairn.Core.Workers;
using static Cairn.Server.Tests.Workers.WorkerServer;

namespace Cairn.Server.Tests.Workers;

/// <summary>A run's source served over git's smart HTTP protocol to the holder of its lease's source token, fetched by a
/// real git.</summary>
public sealed class GitSourceTests
{
    [Fact]
    public async Task Git_FetchesTheRunsCommitByItsId_WithTheSourceToken_AndNothingElseWorks()
    {
        await using var world = await StartAsync();
        await world.QueueRunAsync();
        var (worker, _) = await world.AddWorkerAsync("w1");
        var grant = await LeaseAsync(worker);
        var url = world.Server.Url.TrimEnd('/') + grant.SourcePath;

        using var empty = new TempDirectory();
        Git(empty.Path, "init", "--quiet");
        var fetched = Git(empty.Path, "-c", $"http.extraHeader=Authorization: Bearer {grant.SourceToken}", "fetch", "--depth", "1", url, grant.Run.Sha!);
        Assert.True(fetched.Code == 0, fetched.Output);
        var checkedOut = Git(empty.Path, "checkout", "--quiet", "FETCH_HEAD");
        Assert.True(checkedOut.Code == 0, checkedOut.Output);
        Assert.Equal(world.Sha, Git(empty.Path, "rev-parse", "HEAD").Output.Trim());

        var wrong = grant.SourceToken[..^2] + (grant.SourceToken.EndsWith("AA", StringComparison.Ordinal) ? "BB" : "AA");
        Assert.NotEqual(0, Git(empty.Path, "-c", $"http.extraHeader=Authorization: Bearer {wrong}", "fetch", url, grant.Run.Sha!).Code);
        var otherUrl = world.Server.Url.TrimEnd('/') + WorkerPaths.Git(Other);
        Assert.NotEqual(0, Git(empty.Path, "-c", $"http.extraHeader=Authorization: Bearer {grant.SourceToken}", "fetch", otherUrl, grant.Run.Sha!).Code);

        using var http = new HttpClient { BaseAddress = new Uri(world.Server.Url) };
        Assert.Equal(HttpStatusCode.Unauthorized, await RefsAsync(http, grant.SourcePath!, wrong));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefsAsync(http, WorkerPaths.Git(Other), grant.SourceToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefsAsync(http, WorkerPaths.Git("no/such"), grant.SourceToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefsAsync(http, grant.SourcePath!, null));
        Assert.Equal(HttpStatusCode.OK, await RefsAsync(http, grant.SourcePath!, grant.SourceToken, basic: true));
        using var push = new HttpRequestMessage(HttpMethod.Get, $"{grant.SourcePath}/info/refs?service=git-receive-pack");
        push.Headers.Authorization = new AuthenticationHeaderValue("Bearer", grant.SourceToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(push)).StatusCode);
        using var receive = new HttpRequestMessage(HttpMethod.Post, $"{grant.SourcePath}/git-receive-pack") { Content = new ByteArrayContent([]) };
        receive.Headers.Authorization = new AuthenticationHeaderValue("Bearer", grant.SourceToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(receive)).StatusCode);

        var now = DateTimeOffset.UtcNow;
        using var done = await PostAsync(worker, WorkerPaths.Complete(grant.LeaseId),
            new CompletionReport(JobStatus.Succeeded, 0, null, null, now, now, null), WorkerProtocolJson.Default.CompletionReport);
        Assert.True(done.IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await RefsAsync(http, grant.SourcePath!, grant.SourceToken));
        using var after = new TempDirectory();
        Git(after.Path, "init", "--quiet");
        Assert.NotEqual(0, Git(after.Path, "-c", $"http.extraHeader=Authorization: Bearer {grant.SourceToken}", "fetch", "--depth", "1", url, grant.Run.Sha!).Code);
    }

    private static async Task<HttpStatusCode> RefsAsync(HttpClient http, string path, string? token, bool basic = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}/info/refs?service=git-upload-pack");
        if (token is not null)
        {
            request.Headers.Authorization = basic
                ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("x:" + token)))
                : new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("Basic realm=\"cairn\"", response.Headers.WwwAuthenticate.ToString());
        }

        return response.StatusCode;
    }

    private static (int Code, string Output) Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEndAsync();
        var error = git.StandardError.ReadToEnd();
        git.WaitForExit();
        return (git.ExitCode, output.Result + error);
    }
}
