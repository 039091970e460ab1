namespace Cairn.Cli.Tests.ServerApi;

/// <summary><c>cairn approve</c>, <c>cairn reject</c>, the fork settings of <c>cairn repo</c>, and how waiting runs show.</summary>
public sealed class ApprovalCommandTests : ServerCliTest
{
    private const string Reason = "a maintainer must approve runs of pull requests from forks (author mallory)";

    private static RunShape WaitingRun(long id, long number) =>
        FakeCairnServer.NewRun(id, number, "acme/widgets", "waiting", FakeCairnServer.NewJob(id * 10, "build", "waiting")) with
        {
            Event = "pull_request", Ref = "refs/pull/7/head", StartedAt = null, PendingReason = Reason, Fork = true, PullRequest = 7,
        };

    [Fact]
    public async Task Approve_PostsTheApproval_AndPrintsTheRunThatStarted_AndARunThatDoesNotWaitIsTheServers409()
    {
        Server.AddRun(WaitingRun(7, 3));

        var approved = await CairnAsync("approve", "7");
        var again = await CairnAsync("approve", "7");
        var json = await CairnAsync("approve", "8", "--json");

        Assert.True(approved.ExitCode == 0, approved.ToString());
        Assert.Equal("run #3 (id 7) of acme/widgets: running (approved)", approved.Stdout.Trim());
        Assert.Equal(["/api/v1/runs/7/approve", "/api/v1/runs/7/approve", "/api/v1/runs/8/approve"], Server.Requests.Select(r => r.Path));
        Assert.All(Server.Requests, r => Assert.Equal(("POST", ""), (r.Method, r.Body)));
        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Equal("error: run 7 is not waiting for approval: it is running", again.Stderr.Trim());
        Assert.True(json.ExitCode == 1, json.ToString());
        Assert.Equal("error: there is no run 8", json.Stderr.Trim());
        AssertNoStackTrace(again);
    }

    [Fact]
    public async Task Reject_SendsTheReasonWhenGiven_AndPrintsTheCancelledRunWithIt()
    {
        Server.AddRun(WaitingRun(7, 3));
        Server.AddRun(WaitingRun(8, 4));

        var withReason = await CairnAsync("reject", "7", "--reason", "not a change we build");
        var without = await CairnAsync("reject", "8", "--json");

        Assert.True(withReason.ExitCode == 0, withReason.ToString());
        Assert.Equal("run #3 (id 7) of acme/widgets: cancelled (rejected: not a change we build)", withReason.Stdout.Trim());
        var requests = Server.Api("POST", "/api/v1/runs/");
        Assert.Equal("not a change we build", Body(requests[0]).GetProperty("reason").GetString());
        Assert.False(Body(requests[1]).TryGetProperty("reason", out _));
        Assert.True(without.ExitCode == 0, without.ToString());
        var run = AssertOneJsonDocument(without);
        Assert.Equal(("cancelled", "rejected by a maintainer"), (run.GetProperty("status").GetString(), run.GetProperty("cancelReason").GetString()));
    }

    [Fact]
    public async Task Show_SaysWhyARunWaits_AndWhatToType_AndRunsListsItBeneathTheTable()
    {
        Server.AddRun(FakeCairnServer.NewRun(6, 2, "acme/widgets", "succeeded"));
        Server.AddRun(WaitingRun(7, 3));

        var show = await CairnAsync("show", "7");
        var runs = await CairnAsync("runs", "--status", "waiting");
        var all = await CairnAsync("runs");

        Assert.True(show.ExitCode == 0, show.ToString());
        var lines = Lines(show.Stdout);
        Assert.Equal("run #3 (id 7) of acme/widgets: waiting", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  waiting", StringComparison.Ordinal) && l.EndsWith(Reason, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith("cairn approve 7 starts it; cairn reject 7 ends it", StringComparison.Ordinal));
        Assert.True(runs.ExitCode == 0, runs.ToString());
        Assert.Equal("?status=waiting&limit=20", Server.Api("GET", "/api/v1/runs")[1].Query);
        var rows = Lines(all.Stdout);
        Assert.Matches(@"^7\s+acme/widgets\s+#3\s+ci\s+pull_request\s+pull/7/head\s+0123456\s+waiting\s+", rows[1]);
        Assert.Equal($"run id 7 is waiting: {Reason} (cairn approve 7 / cairn reject 7)", rows[^1]);
        Assert.Equal(4, rows.Length);
    }

    [Fact]
    public async Task RepoSet_PatchesOnlyWhatIsGiven_AndPrintsTheRepository()
    {
        Server.AddRepo("acme/widgets");

        var policy = await CairnAsync("repo", "set", "acme/widgets", "--fork-pull-requests", "run");
        var secrets = await CairnAsync("repo", "set", "acme/widgets", "--allow-fork-secrets", "true", "--json");

        Assert.True(policy.ExitCode == 0, policy.ToString());
        var patches = Server.Api("PATCH", "/api/v1/repos/acme/widgets");
        Assert.Equal("run", Body(patches[0]).GetProperty("forkPullRequests").GetString());
        Assert.False(Body(patches[0]).TryGetProperty("allowForkSecrets", out _));
        Assert.True(Body(patches[1]).GetProperty("allowForkSecrets").GetBoolean());
        Assert.False(Body(patches[1]).TryGetProperty("forkPullRequests", out _));
        Assert.Contains("changed acme/widgets (github)", policy.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"fork PRs\s+run: their runs start at once", policy.Stdout);
        Assert.Matches(@"fork secrets\s+pull requests from forks get no secrets", policy.Stdout);
        Assert.True(secrets.ExitCode == 0, secrets.ToString());
        var json = AssertOneJsonDocument(secrets);
        Assert.Equal(("run", true), (json.GetProperty("forkPullRequests").GetString(), json.GetProperty("allowForkSecrets").GetBoolean()));
    }

    [Theory]
    [InlineData(new[] { "repo", "set", "acme/widgets" }, "error: say what to change: --fork-pull-requests approve|run|ignore, --allow-fork-secrets true|false")]
    [InlineData(new[] { "repo", "set", "acme/widgets", "--fork-pull-requests", "always" }, "error: --fork-pull-requests takes approve, run or ignore, not 'always'")]
    [InlineData(new[] { "repo", "set", "acme/widgets", "--allow-fork-secrets", "yes" }, "error: --allow-fork-secrets takes true or false, not 'yes'")]
    [InlineData(new[] { "repo", "add", "acme/widgets", "--forge", "github", "--clone-url", "https://g.example/w.git", "--fork-pull-requests", "sometimes" },
        "error: --fork-pull-requests takes approve, run or ignore, not 'sometimes'")]
    [InlineData(new[] { "reject", "seven" }, "'seven' is not a run id")]
    public async Task ASettingOrRunThatCannotBe_IsAUsageError_AndSendsNothing(string[] args, string said)
    {
        Server.AddRepo("acme/widgets");

        var result = await CairnAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(said, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task RepoAdd_SendsTheForkPolicy_AndRepoListShowsIt()
    {
        var added = await CairnAsync(
            "repo", "add", "acme/widgets", "--forge", "github", "--clone-url", "https://github.com/acme/widgets.git", "--fork-pull-requests", "ignore");
        var list = await CairnAsync("repo", "list");

        Assert.True(added.ExitCode == 0, added.ToString());
        Assert.Equal("ignore", Body(Assert.Single(Server.Api("POST", "/api/v1/repos"))).GetProperty("forkPullRequests").GetString());
        Assert.Matches(@"fork PRs\s+ignore: they start no run", added.Stdout);
        Assert.Matches(@"^acme/widgets\s+github\s+main\s+-\s+-\s+ignore\s+no\s+", Lines(list.Stdout)[1]);
    }

    [Fact]
    public async Task Audit_ShowsWhoApprovedOrRejectedWhichRun_AndWhy()
    {
        var now = DateTimeOffset.UtcNow;
        Server.Audit.Add(new AuditShape(1, now.AddMinutes(-3), 7, null, "acme/widgets", null, "approve", "admin"));
        Server.Audit.Add(new AuditShape(2, now.AddMinutes(-1), 8, null, "acme/widgets", null, "reject", "admin", "not ours"));

        var result = await CairnAsync("audit");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = Lines(result.Stdout);
        Assert.Matches(@"^2\s+1m ago\s+reject\s+-\s+acme/widgets\s+8\s+-\s+admin\s+not ours$", lines[1]);
        Assert.Matches(@"^1\s+3m ago\s+approve\s+-\s+acme/widgets\s+7\s+-\s+admin$", lines[2]);
    }
}
