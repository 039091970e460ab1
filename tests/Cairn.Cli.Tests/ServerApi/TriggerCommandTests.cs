namespace Cairn.Cli.Tests.ServerApi;

public sealed class TriggerCommandTests : ServerCliTest
{
    [Fact]
    public async Task Trigger_PostsRefShaInputsAndTheIdempotencyKey_AndPrintsTheRun()
    {
        Server.AddRepo("acme/widgets");
        var id = Server.NextRunId;

        var result = await CairnAsync(
            "trigger", "acme/widgets", "--ref", "release/2.0", "--sha", "abc1234def", "--input", "target=staging", "-i", "dry=yes=really",
            "--idempotency-key", "deploy-2024-06-01");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"run #1 (id {id}) of acme/widgets: running", result.Stdout.Trim());
        var request = Assert.Single(Server.Requests);
        Assert.Equal(("POST", "/api/v1/repos/acme/widgets/runs", ""), (request.Method, request.Path, request.Query));
        Assert.Equal("deploy-2024-06-01", request.IdempotencyKey);
        Assert.Equal($"Bearer {FakeCairnServer.Token}", request.Authorization);
        var body = Body(request);
        Assert.Equal("release/2.0", body.GetProperty("ref").GetString());
        Assert.Equal("abc1234def", body.GetProperty("sha").GetString());
        var inputs = body.GetProperty("inputs");
        Assert.Equal("staging", inputs.GetProperty("target").GetString());
        Assert.Equal("yes=really", inputs.GetProperty("dry").GetString());
    }

    [Fact]
    public async Task Trigger_WithTheSameIdempotencyKey_AnswersTheSameRun()
    {
        Server.AddRepo("acme/widgets");

        var first = await CairnAsync("trigger", "acme/widgets", "--ref", "main", "--idempotency-key", "k1");
        var second = await CairnAsync("trigger", "acme/widgets", "--ref", "main", "--idempotency-key", "k1");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(first.Stdout, second.Stdout);
    }

    [Fact]
    public async Task Trigger_WithoutRef_RunsTheRepositorysDefaultBranch_AndSendsNoKey()
    {
        Server.AddRepo("acme/widgets", defaultBranch: "trunk");

        var result = await CairnAsync("trigger", "acme/widgets");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["GET /api/v1/repos/acme/widgets", "POST /api/v1/repos/acme/widgets/runs"], Server.Requests.Select(r => $"{r.Method} {r.Path}"));
        var post = Server.Requests[1];
        Assert.Null(post.IdempotencyKey);
        var body = Body(post);
        Assert.Equal("trunk", body.GetProperty("ref").GetString());
        Assert.False(body.TryGetProperty("sha", out _));
        Assert.Empty(body.GetProperty("inputs").EnumerateObject());
    }

    [Fact]
    public async Task Trigger_OfAnUnknownRepository_IsTheServers404_Exit1()
    {
        var result = await CairnAsync("trigger", "acme/nothing", "--ref", "main");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("error: there is no repository acme/nothing", result.Stderr.Trim());
        AssertNoStackTrace(result);
    }

    [Fact]
    public async Task Trigger_WithABadInput_IsAUsageError()
    {
        var result = await CairnAsync("trigger", "acme/widgets", "--input", "novalue");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("error: --input takes NAME=VALUE, not 'novalue'", result.Stderr.Trim());
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task Trigger_Json_PrintsTheServersRun()
    {
        Server.AddRepo("acme/widgets");

        var result = await CairnAsync("trigger", "acme/widgets", "--ref", "main", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var run = AssertOneJsonDocument(result);
        Assert.Equal(Server.NextRunId - 1, run.GetProperty("id").GetInt64());
        Assert.Equal("running", run.GetProperty("status").GetString());
        Assert.Equal("refs/heads/main", run.GetProperty("ref").GetString());
    }

    [Theory]
    [InlineData("succeeded", 0)]
    [InlineData("failed", 1)]
    [InlineData("cancelled", 1)]
    public async Task TriggerWait_FollowsTheRunUntilItEnds_AndExitsByItsVerdict(string verdict, int exitCode)
    {
        Server.AddRepo("acme/widgets");
        var id = Server.NextRunId;
        var jobStatus = verdict == "succeeded" ? "succeeded" : "failed";
        Server.Script(
            id,
            run => run with { Jobs = [run.Jobs[0] with { Status = "running", StartedAt = DateTimeOffset.UtcNow }] },
            run => run with
            {
                Status = verdict,
                FinishedAt = DateTimeOffset.UtcNow,
                Jobs = [run.Jobs[0] with
                {
                    Status = jobStatus,
                    FinishedAt = DateTimeOffset.UtcNow,
                    ExitCode = jobStatus == "succeeded" ? 0 : 3,
                    FailureClass = jobStatus == "succeeded" ? null : "test",
                    FailureDetail = jobStatus == "succeeded" ? null : "3 tests failed (dotnet test)",
                }],
            });

        var result = await CairnAsync("trigger", "acme/widgets", "--ref", "main", "--wait");

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Equal(2, Server.Api("GET", $"/api/v1/runs/{id}").Count);
        var lines = Lines(result.Stdout);
        Assert.Equal($"run #1 (id {id}) of acme/widgets: running", lines[0]);
        Assert.Equal("  build: queued", lines[1]);
        Assert.Equal("  build: running", lines[2]);
        Assert.StartsWith(jobStatus == "succeeded" ? "  build: succeeded in " : "  build: failed (test) in ", lines[3], StringComparison.Ordinal);
        Assert.StartsWith($"run #1 (id {id}) of acme/widgets: {verdict} in ", lines[^1], StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', result.Stdout);
    }

    [Fact]
    public async Task TriggerWaitJson_PrintsOnlyTheFinishedRun()
    {
        Server.AddRepo("acme/widgets");
        var id = Server.NextRunId;
        Server.Script(id, run => run with { Status = "succeeded", FinishedAt = DateTimeOffset.UtcNow, Jobs = [run.Jobs[0] with { Status = "succeeded" }] });

        var result = await CairnAsync("trigger", "acme/widgets", "--ref", "main", "--wait", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var run = AssertOneJsonDocument(result);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.Equal(id, run.GetProperty("id").GetInt64());
    }
}
