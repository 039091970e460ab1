namespace Cairn.Cli.Tests.ServerApi;

public sealed class RunCommandsTests : ServerCliTest
{
    [Fact]
    public async Task Runs_SendsItsFilters_AndPrintsATableWithShortRefsAndShas()
    {
        Server.AddRun(FakeCairnServer.NewRun(7, 3, "acme/widgets", "failed"));
        Server.AddRun(FakeCairnServer.NewRun(8, 4, "acme/widgets", "running") with { Ref = "refs/tags/v1.2", Event = "tag" });

        var filtered = await CairnAsync("runs", "--repo", "acme/widgets", "--status", "failed", "--branch", "main", "--limit", "5");
        var all = await CairnAsync("runs");

        Assert.True(filtered.ExitCode == 0, filtered.ToString());
        var request = Server.Requests[0];
        Assert.Equal(("GET", "/api/v1/runs", "?repo=acme%2Fwidgets&status=failed&branch=main&limit=5"), (request.Method, request.Path, request.Query));
        var lines = Lines(filtered.Stdout);
        Assert.Matches(@"^ID\s+REPO\s+#\s+PIPELINE\s+EVENT\s+REF\s+SHA\s+STATUS\s+AGE\s+DURATION$", lines[0]);
        Assert.Matches(@"^7\s+acme/widgets\s+#3\s+ci\s+manual\s+main\s+0123456\s+failed\s+5m ago\s+1m02s$", lines[1]);
        Assert.Equal(2, lines.Length);

        Assert.Equal("?limit=20", Server.Requests[1].Query);
        var rows = Lines(all.Stdout);
        Assert.Matches(@"^8\s+acme/widgets\s+#4\s+ci\s+tag\s+tags/v1.2\s+0123456\s+running\s+5m ago\s+", rows[1]);
        Assert.StartsWith("7 ", rows[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_SaysWhereTheNextPageStarts_AndGoesOnFromACursor()
    {
        for (var id = 1; id <= 3; id++)
        {
            Server.AddRun(FakeCairnServer.NewRun(id, id, "acme/widgets", "succeeded"));
        }

        var first = await CairnAsync("runs", "-n", "2");
        var rest = await CairnAsync("runs", "-n", "2", "--cursor", "2");

        Assert.Equal("more: cairn runs --cursor 2", Lines(first.Stdout)[^1]);
        Assert.Equal("?cursor=2&limit=2", Server.Requests[1].Query);
        Assert.Equal(2, Lines(rest.Stdout).Length);
        Assert.StartsWith("1 ", Lines(rest.Stdout)[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--status", "queued", "--status takes waiting, running, succeeded, failed or cancelled, not 'queued'")]
    [InlineData("--limit", "0", "--limit takes a whole number of at least 1, not '0'")]
    [InlineData("--repo", "widgets", "--repo: 'widgets' is not a repository's full name: write owner/repo (or group/subgroup/project)")]
    public async Task Runs_WithABadFilter_IsAUsageError(string option, string value, string said)
    {
        var result = await CairnAsync("runs", option, value);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"error: {said}", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task Show_PrintsWhyAWaitingOrQueuedJobIsNotRunning_BesideIt()
    {
        var build = FakeCairnServer.NewJob(70, "build", "queued") with
        {
            Attempt = 1, FailureClass = "infra", FailureDetail = "the container engine went away",
            PendingReason = new PendingReasonShape("retry", "retrying after 12:01:35 UTC (attempt 2 of 2, after infra failure)"),
        };
        var big = FakeCairnServer.NewJob(71, "huge", "queued") with
        {
            PendingReason = new PendingReasonShape("worker", "queued: waiting for a worker with labels [linux, big]; no worker of this server has them"),
        };
        var deploy = FakeCairnServer.NewJob(72, "deploy", "waiting") with { PendingReason = new PendingReasonShape("needs", "waiting for build") };
        Server.AddRun(FakeCairnServer.NewRun(7, 3, "acme/widgets", "running", build, big, deploy));

        var result = await CairnAsync("show", "7");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = Lines(result.Stdout);
        Assert.Contains(lines, l => l.StartsWith("build ", StringComparison.Ordinal)
            && l.EndsWith("infra  retrying after 12:01:35 UTC (attempt 2 of 2, after infra failure); the container engine went away", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("huge ", StringComparison.Ordinal)
            && l.EndsWith("queued: waiting for a worker with labels [linux, big]; no worker of this server has them", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("deploy ", StringComparison.Ordinal) && l.EndsWith("waiting for build", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Show_PrintsARetriedJobsEarlierAttempts_UnderItsSteps()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-4);
        var flaky = FakeCairnServer.NewJob(70, "flaky", "succeeded", new StepShape(0, "once", "succeeded", 0, at, at.AddSeconds(2))) with
        {
            Attempt = 2,
            Attempts =
            [
                new AttemptShape(2, "succeeded", 0, null, null, at.AddSeconds(10), at.AddSeconds(12), "ci-1-0"),
                new AttemptShape(1, "failed", null, "infra", "the worker running this job (ci-2-1) was lost", at, at.AddSeconds(5), "ci-2-1"),
            ],
        };
        Server.AddRun(FakeCairnServer.NewRun(7, 3, "acme/widgets", "succeeded", flaky));

        var result = await CairnAsync("show", "7");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = Lines(result.Stdout);
        var table = lines[Array.FindIndex(lines, l => l.StartsWith("JOB", StringComparison.Ordinal))..];
        Assert.Matches(@"^flaky\s+succeeded\s+2\s+", table[1]);
        Assert.Matches(@"^  0\. once\s+succeeded", table[2]);
        Assert.Matches(@"^  attempt 1\s+failed\s+1\s+5.00s\s+-\s+infra\s+the worker running this job \(ci-2-1\) was lost; on ci-2-1$", table[3]);
        Assert.Equal(4, table.Length);
    }

    [Fact]
    public async Task Show_PrintsTheRunItsErrorsAndEachJobWithItsSteps()
    {
        var build = FakeCairnServer.NewJob(
            70, "build", "succeeded",
            new StepShape(0, "checkout", "succeeded", 0, DateTimeOffset.UtcNow.AddSeconds(-30), DateTimeOffset.UtcNow.AddSeconds(-29)),
            new StepShape(1, "compile", "succeeded", 0, DateTimeOffset.UtcNow.AddSeconds(-29), DateTimeOffset.UtcNow.AddSeconds(-20)));
        var test = FakeCairnServer.NewJob(71, "test (alpine)", "failed", new StepShape(0, "unit tests", "failed", 1, null, null)) with
        {
            Attempt = 2, ExitCode = 1, FailureClass = "test", FailureDetail = "3 tests failed (dotnet test)",
        };
        var deploy = FakeCairnServer.NewJob(72, "deploy", "skipped");
        Server.AddRun(FakeCairnServer.NewRun(7, 3, "acme/widgets", "failed", build, test, deploy) with
        {
            FailureClass = "test", Errors = ["secret DEPLOY_KEY is not set"], RerunOf = 5,
        });

        var result = await CairnAsync("show", "7");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("/api/v1/runs/7", Assert.Single(Server.Requests).Path);
        var lines = Lines(result.Stdout);
        Assert.Equal("run #3 (id 7) of acme/widgets: failed (test)", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  pipeline", StringComparison.Ordinal) && l.EndsWith(" ci", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  event", StringComparison.Ordinal) && l.EndsWith("manual of main at 0123456", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  took", StringComparison.Ordinal) && l.EndsWith("1m02s", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  rerun of", StringComparison.Ordinal) && l.EndsWith("run id 5", StringComparison.Ordinal));
        Assert.Equal("  secret DEPLOY_KEY is not set", lines[Array.IndexOf(lines, "errors:") + 1]);
        var table = lines[Array.FindIndex(lines, l => l.StartsWith("JOB", StringComparison.Ordinal))..];
        Assert.Matches(@"^JOB\s+STATUS\s+ATTEMPT\s+DURATION\s+EXIT\s+CLASS\s+DETAIL$", table[0]);
        Assert.Matches(@"^build\s+succeeded\s+1\s+12.0s\s+0\s+-$", table[1]);
        Assert.Matches(@"^  0\. checkout\s+succeeded\s+1.00s\s+0$", table[2]);
        Assert.Matches(@"^  1\. compile\s+succeeded\s+9.00s\s+0$", table[3]);
        Assert.Matches(@"^test \(alpine\)\s+failed\s+2\s+12.0s\s+1\s+test\s+3 tests failed \(dotnet test\)$", table[4]);
        Assert.Matches(@"^  0\. unit tests\s+failed\s+-\s+1$", table[5]);
        Assert.Matches(@"^deploy\s+skipped\s+1\s+-\s+-\s+-$", table[6]);
    }

    [Fact]
    public async Task Show_OfAnUnknownRun_SaysTheServersDetail_Exit1_AndABadIdIsAUsageError()
    {
        var unknown = await CairnAsync("show", "999");
        var bad = await CairnAsync("show", "#3");

        Assert.True(unknown.ExitCode == 1, unknown.ToString());
        Assert.Equal("error: there is no run 999", unknown.Stderr.Trim());
        Assert.True(bad.ExitCode == 2, bad.ToString());
        Assert.Contains("'#3' is not a run id", bad.Stderr, StringComparison.Ordinal);
        Assert.Single(Server.Requests);
    }

    [Fact]
    public async Task Show_Json_PrintsTheServersRunAsItIs()
    {
        Server.AddRun(FakeCairnServer.NewRun(7, 3, "acme/widgets", "succeeded", FakeCairnServer.NewJob(70, "build", "succeeded")));

        var result = await CairnAsync("show", "7", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var run = AssertOneJsonDocument(result);
        Assert.Equal(7, run.GetProperty("id").GetInt64());
        Assert.Equal("build", run.GetProperty("jobs")[0].GetProperty("name").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, run.GetProperty("rerunOf").ValueKind);
    }

    [Fact]
    public async Task Cancel_PostsTheCancel_AndARunThatEndedIsTheServers409()
    {
        Server.AddRun(FakeCairnServer.NewRun(7, 3, "acme/widgets", "running"));
        Server.AddRun(FakeCairnServer.NewRun(8, 4, "acme/widgets", "succeeded"));

        var running = await CairnAsync("cancel", "7");
        var ended = await CairnAsync("cancel", "8");
        var json = await CairnAsync("cancel", "7", "--json");

        Assert.True(running.ExitCode == 0, running.ToString());
        Assert.Equal("run #3 (id 7) of acme/widgets: running, cancel requested", running.Stdout.Trim());
        Assert.Equal(["/api/v1/runs/7/cancel", "/api/v1/runs/8/cancel", "/api/v1/runs/7/cancel"], Server.Requests.Select(r => r.Path));
        Assert.All(Server.Requests, r => Assert.Equal("POST", r.Method));
        Assert.True(ended.ExitCode == 1, ended.ToString());
        Assert.Equal("error: run 8 has already ended (succeeded)", ended.Stderr.Trim());
        Assert.True(AssertOneJsonDocument(json).GetProperty("cancelRequested").GetBoolean());
    }

    [Theory]
    [InlineData(false, "/api/v1/runs/7/rerun", 3)]
    [InlineData(true, "/api/v1/runs/7/rerun-failed", 1)]
    public async Task Rerun_PostsToRerunOrRerunFailed_AndPrintsTheNewRun(bool failedOnly, string path, int jobs)
    {
        Server.AddRun(FakeCairnServer.NewRun(
            7, 3, "acme/widgets", "failed",
            FakeCairnServer.NewJob(70, "build", "succeeded"), FakeCairnServer.NewJob(71, "lint", "succeeded"), FakeCairnServer.NewJob(72, "test", "failed")));

        var next = Server.NextRunId;
        string[] args = failedOnly ? ["rerun", "7", "--failed"] : ["rerun", "7"];
        var result = await CairnAsync(args);
        var json = await CairnAsync([.. args, "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(("POST", path), (Server.Requests[0].Method, Server.Requests[0].Path));
        Assert.Equal($"run #4 (id {next}) of acme/widgets: running (a rerun of id 7)", result.Stdout.Trim());
        var rerun = AssertOneJsonDocument(json);
        Assert.Equal(7, rerun.GetProperty("rerunOf").GetInt64());
        Assert.Equal(jobs, rerun.GetProperty("jobs").GetArrayLength());
    }

    [Fact]
    public async Task Logs_ByJobNameOrId_PrintsTheTextAsTheServerHasIt()
    {
        Server.AddRun(FakeCairnServer.NewRun(7, 3, "acme/widgets", "failed", FakeCairnServer.NewJob(70, "build", "succeeded"), FakeCairnServer.NewJob(71, "72", "failed")));
        Server.Logs[70] = "==> make\ncc -o widget widget.c\n";
        Server.Logs[71] = "named like an id";

        var byName = await CairnAsync("logs", "7", "--job", "build");
        var byId = await CairnAsync("logs", "7", "--job", "70");
        var nameFirst = await CairnAsync("logs", "7", "--job", "72");
        var json = await CairnAsync("logs", "7", "--job", "build", "--json");

        Assert.True(byName.ExitCode == 0, byName.ToString());
        Assert.Equal("==> make\ncc -o widget widget.c\n", byName.Stdout);
        Assert.Equal(byName.Stdout, byId.Stdout);
        Assert.Equal("named like an id\n", nameFirst.Stdout);
        Assert.Equal(["/api/v1/runs/7", "/api/v1/runs/7/jobs/70/log"], Server.Requests.Take(2).Select(r => r.Path));
        var document = AssertOneJsonDocument(json);
        Assert.Equal("==> make\ncc -o widget widget.c\n", document.GetProperty("log").GetString());
        Assert.Equal(70, document.GetProperty("jobId").GetInt64());
    }

    [Fact]
    public async Task Logs_WithoutAJobItCanTell_NamesTheJobsThereAre()
    {
        Server.AddRun(FakeCairnServer.NewRun(7, 3, "acme/widgets", "failed", FakeCairnServer.NewJob(70, "build", "succeeded"), FakeCairnServer.NewJob(71, "test", "failed")));
        Server.AddRun(FakeCairnServer.NewRun(8, 4, "acme/widgets", "succeeded", FakeCairnServer.NewJob(80, "only", "succeeded")));
        Server.Logs[80] = "the only log\n";

        var unsaid = await CairnAsync("logs", "7");
        var unknown = await CairnAsync("logs", "7", "--job", "deploy");
        var single = await CairnAsync("logs", "8");

        Assert.True(unsaid.ExitCode == 2, unsaid.ToString());
        Assert.Equal("error: say which job of run 7 with --job NAME or ID; its jobs: build (id 70), test (id 71)", unsaid.Stderr.Trim());
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Equal("error: run 7 has no job 'deploy'; its jobs: build (id 70), test (id 71)", unknown.Stderr.Trim());
        Assert.Equal("the only log\n", single.Stdout);
    }

    [Fact]
    public async Task Events_SendsTheRepositoryFilter_AndPrintsATable()
    {
        var now = DateTimeOffset.UtcNow;
        Server.Events.Add(new EventShape(1, "github", "d-1", "acme/widgets", "push", "planned", now.AddMinutes(-10), 7, null));
        Server.Events.Add(new EventShape(2, "github", "d-2", "acme/widgets", "pull_request", "ignored", now.AddMinutes(-2), null, "no pipeline on this branch"));
        Server.Events.Add(new EventShape(3, "gitlab", "d-3", "acme/other", "push", "planned", now.AddMinutes(-1), 8, null));

        var result = await CairnAsync("events", "--repo", "acme/widgets");
        var json = await CairnAsync("events", "--json", "--limit", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(("GET", "/api/v1/events", "?repo=acme%2Fwidgets&limit=20"), (Server.Requests[0].Method, Server.Requests[0].Path, Server.Requests[0].Query));
        var lines = Lines(result.Stdout);
        Assert.Matches(@"^ID\s+RECEIVED\s+SOURCE\s+EVENT\s+REPOSITORY\s+STATE\s+RUN\s+DETAIL$", lines[0]);
        Assert.Matches(@"^2\s+2m ago\s+github\s+pull_request\s+acme/widgets\s+ignored\s+-\s+no pipeline on this branch$", lines[1]);
        Assert.Matches(@"^1\s+10m ago\s+github\s+push\s+acme/widgets\s+planned\s+7$", lines[2]);
        Assert.Equal(3, lines.Length);
        var page = AssertOneJsonDocument(json);
        Assert.Equal(3, page.GetProperty("items")[0].GetProperty("id").GetInt64());
        Assert.Equal("3", page.GetProperty("next").GetString());
    }
}
