using System.Diagnostics;
using System.Net;
using Cairn.Core.Agents;
using Cairn.Core.Planning;
using Cairn.Core.Publishing;
using Cairn.Core.Triggers;
using Cairn.Git;
using Cairn.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Publishing;

/// <summary>A publish job on a real server: the agent's branch (made here with real git, standing in for the agent job)
/// is pushed to the repository with the server's token and a draft pull request of it opened on a loopback forge; the
/// forge's checks webhooks then land on the run's record. Nothing is ever merged.</summary>
public sealed class PublishFlowTests : IAsyncLifetime
{
    private const string Repository = "acme/app";
    private const string Secret = "publish-webhook-secret";
    private const string ForgeToken = "ghs_serverTokenForPublishing9";

    private readonly TempDirectory _data = new();
    private readonly GitRepository _git = new();
    private FakePullRequestForge _forge = null!;
    private ServerHarness _server = null!;

    public async ValueTask InitializeAsync()
    {
        _forge = await FakePullRequestForge.StartAsync("github");
        _server = await ServerHarness.StartAsync(_data.Path);
        await _server.AddRepositoryAsync(Repository, "github", _git.CloneUrl, _forge.Url, Secret, ForgeToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _forge.DisposeAsync();
        _git.Dispose();
        _data.Dispose();
    }

    [Fact]
    public async Task ThePublishJob_PushesTheAgentsBranch_OpensADraft_AndFollowsItsChecks()
    {
        var (baseSha, tip) = await AgentBranchAsync(runId: 1, new Dictionary<string, string> { ["src/widget.cs"] = "class Widget {}" });

        var run = await StartPublishRunAsync(baseSha);
        var ended = await _server.WaitForRunAsync(run);

        var job = Assert.Single(ended.Jobs!);
        Assert.True(ended.Status == "succeeded", $"{job.FailureClass}: {job.FailureDetail}");
        Assert.Equal(tip, GitIn(_git.Remote, "rev-parse", "refs/heads/cairn/1-implement").Trim());

        var open = Assert.Single(_forge.Open);
        Assert.Equal(("cairn/1-implement", "main"), (open.Head, open.Base));
        Assert.Equal("implement: changes by agent (run 1)", (string?)open.Fields["title"]);
        var body = (string)open.Fields["body"]!;
        Assert.Contains($"{ServerHarness.PublicUrl}runs/1", body, StringComparison.Ordinal);
        Assert.EndsWith("Opened by Cairn. Cairn never merges.", body, StringComparison.Ordinal);
        Assert.True((bool)_forge.Calls.Single(c => c.Method == "POST" && c.Target.Contains("/pulls", StringComparison.Ordinal)).Json["draft"]!);
        Assert.All(_forge.Calls.Where(c => c.Target.Contains("/pulls", StringComparison.Ordinal)), c => Assert.Equal($"Bearer {ForgeToken}", c.Authorization));

        var store = _server.Services.GetRequiredService<ICairnStore>();
        var record = Assert.Single(await store.GetPullRequestsAsync(run, CancellationToken.None));
        Assert.Equal((open.Number, tip, "cairn/1-implement", true, (string?)null), (record.Number, record.HeadSha, record.Branch, record.Draft, record.Checks));
        var log = await store.ReadLogAsync(job.Id, 0, 100, CancellationToken.None);
        Assert.Contains(log, l => l.Text == $"opened draft pull request #{open.Number}: {_forge.Url}/web/{open.Number}");
        Assert.DoesNotContain(log, l => l.Text.Contains(ForgeToken, StringComparison.Ordinal));

        // The forge reports the pull request's CI; the record follows it.
        var failing = await _server.Anonymous.SendAsync(Deliveries.GitHub("status", Status(tip, "failure"), Secret), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, failing.StatusCode);
        Assert.Equal("PR #42: checks failing", (await store.GetPullRequestsAsync(run, CancellationToken.None))[0].Describe());
        var passing = await _server.Anonymous.SendAsync(Deliveries.GitHub("status", Status(tip, "success"), Secret), TestContext.Current.CancellationToken);
        Assert.Contains("checks: passing", await passing.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var passed = (await store.GetPullRequestsAsync(run, CancellationToken.None))[0];
        Assert.Equal(("passing", "ci/test: success", "PR #42: checks passing"), (passed.Checks, passed.ChecksDetail, passed.Describe()));
        var shown = Assert.Single((await _server.GetRunAsync(run)).PullRequests!);
        Assert.Equal(("PR #42: checks passing", open.Number, "cairn/1-implement"), (shown.Summary, shown.Number, shown.Branch));

        // A check of another commit changes nothing.
        await _server.Anonymous.SendAsync(Deliveries.GitHub("status", Status(baseSha, "failure"), Secret), TestContext.Current.CancellationToken);
        Assert.Equal("passing", (await store.GetPullRequestsAsync(run, CancellationToken.None))[0].Checks);

        Assert.DoesNotContain(_forge.Calls, c => c.Target.Split('?')[0].EndsWith("/merge", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ABranchTouchingAProtectedPath_IsNotPublished()
    {
        var (baseSha, _) = await AgentBranchAsync(runId: 1, new Dictionary<string, string> { ["src/widget.cs"] = "x", [".cairn.yml"] = "jobs: {}" });

        var run = await StartPublishRunAsync(baseSha);
        var ended = await _server.WaitForRunAsync(run);

        var job = Assert.Single(ended.Jobs!);
        Assert.Equal(("failed", "agent-policy"), (ended.Status, job.FailureClass));
        Assert.Contains("changes protected paths", job.FailureDetail, StringComparison.Ordinal);
        Assert.Contains(".cairn.yml", job.FailureDetail, StringComparison.Ordinal);
        Assert.DoesNotContain("src/widget.cs", job.FailureDetail, StringComparison.Ordinal);
        Assert.Empty(_forge.Open);
        Assert.DoesNotContain(_forge.Calls, c => c.Target.Contains("/pulls", StringComparison.Ordinal));
        Assert.NotEqual(0, Process(_git.Remote, "rev-parse", "--verify", "--quiet", "refs/heads/cairn/1-implement"));
    }

    [Fact]
    public async Task NoBranch_NothingToPublish()
    {
        var baseSha = _git.Commit(new Dictionary<string, string> { ["README.md"] = "hello" });
        await _server.Services.GetRequiredService<GitMirror>().EnsureCommitAsync(Repository, _git.CloneUrl, null, baseSha, "main", CancellationToken.None);

        var run = await StartPublishRunAsync(baseSha);
        var ended = await _server.WaitForRunAsync(run);

        var job = Assert.Single(ended.Jobs!);
        Assert.Equal(("failed", "config"), (ended.Status, job.FailureClass));
        Assert.Equal("nothing to publish: the branch cairn/1-implement does not exist", job.FailureDetail);
        Assert.DoesNotContain(_forge.Calls, c => c.Target.Contains("/pulls", StringComparison.Ordinal));
    }

    /// <summary>Commits on main, then the agent's work on its branch, and puts both in the server's mirror as an agent
    /// job leaves them; the remote is left without the branch, so only the publish job can put it there.</summary>
    private async Task<(string BaseSha, string Tip)> AgentBranchAsync(long runId, Dictionary<string, string> files)
    {
        var branch = AgentBranches.For(runId, "implement");
        var baseSha = _git.Commit(new Dictionary<string, string> { ["README.md"] = "hello" });
        var tip = _git.Commit(files, "the agent's work", branch);
        var mirror = _server.Services.GetRequiredService<GitMirror>();
        await mirror.EnsureCommitAsync(Repository, _git.CloneUrl, null, baseSha, "main", CancellationToken.None);
        await mirror.ResolveRefAsync(Repository, _git.CloneUrl, null, branch, CancellationToken.None);
        GitIn(_git.Remote, "update-ref", "-d", $"refs/heads/{branch}");
        return (baseSha, tip);
    }

    private async Task<long> StartPublishRunAsync(string sha)
    {
        var definition = new JobDefinitionJson(
            "publish", new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(),
            null, null, null, null, [], null, [])
        {
            Kind = "publish",
            Publish = new PublishJson("implement", true, null, null, [".cairn.yml", ".cairn/**", ".github/**"]),
        };
        var trigger = new TriggerEvent(TriggerKind.Manual, Repository, "refs/heads/main", sha, new Dictionary<string, string>(), null);
        var coordinator = _server.Services.GetRequiredService<Core.Engine.RunCoordinator>();
        var run = await coordinator.StartRunAsync(new RunPlan("agents", trigger, [new PlannedJob("publish", "publish", [], [], definition.Serialize())]), CancellationToken.None);
        Assert.Equal(1, run.Id);
        return run.Id;
    }

    private static object Status(string sha, string state) => new
    {
        id = 1,
        sha,
        name = Repository,
        context = "ci/test",
        state,
        description = "tests",
        repository = new { name = "app", full_name = Repository },
        sender = new { login = "ci" },
    };

    private static string GitIn(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {process.StandardError.ReadToEnd()}");
    }

    private static int Process(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
