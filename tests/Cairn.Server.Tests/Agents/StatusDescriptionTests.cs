using Cairn.Core.Agents;
using Cairn.Core.Forges;
using Cairn.Core.Gates;
using Cairn.Core.Publishing;
using Cairn.Core.Runs;
using Cairn.Server.Services;

namespace Cairn.Server.Tests.Agents;

/// <summary>What a commit status says of an agent job, an approval gate and a publish job.</summary>
public sealed class StatusDescriptionTests
{
    private static readonly DateTimeOffset Start = new(2031, 3, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_finished_agent_job_says_its_turns_cost_and_time_then_its_verdict()
    {
        var job = Job(JobStatus.Succeeded) with { StartedAt = Start, FinishedAt = Start.AddMinutes(6) };
        var record = Record(new AgentUsage(12, 48_000, 9_000, 0.84m));

        var passed = StatusDescriptions.Agent(Plain("passed in 6m"), JobStatus.Succeeded, job, record);
        var failed = StatusDescriptions.Agent(Plain("agent-limit: the agent reached its 12 turns"), JobStatus.Failed, job with { Status = JobStatus.Failed }, record);

        Assert.Equal("12 turns · $0.84 · 6m · passed", passed.Description);
        Assert.Equal(CommitState.Success, passed.State);
        Assert.Equal("12 turns · $0.84 · 6m · agent-limit: the agent reached its 12 turns", failed.Description);
    }

    [Fact]
    public void An_agent_description_is_cut_to_what_a_forge_shows_and_a_running_one_is_left_alone()
    {
        var job = Job(JobStatus.Failed) with { StartedAt = Start, FinishedAt = Start.AddSeconds(40) };
        var record = Record(new AgentUsage(1, 1, 1, 0.01m));

        var cut = StatusDescriptions.Agent(Plain("agent-error: " + new string('x', 300)), JobStatus.Failed, job, record);
        var running = StatusDescriptions.Agent(Plain("running"), JobStatus.Running, job, record);
        var none = StatusDescriptions.Agent(Plain("passed in 40s"), JobStatus.Succeeded, job, null);

        Assert.Equal(StatusDescriptions.MaxLength, cut.Description.Length);
        Assert.StartsWith("1 turn · $0.01 · 40s · agent-error: xxx", cut.Description, StringComparison.Ordinal);
        Assert.EndsWith("…", cut.Description, StringComparison.Ordinal);
        Assert.Equal("running", running.Description);
        Assert.Equal("passed in 40s", none.Description);
    }

    [Fact]
    public void An_open_gate_says_how_many_approvals_it_has_of_how_many()
    {
        var job = Job(JobStatus.Waiting) with { PendingReason = GateReasons.Waiting(["team:leads", "alice"], 1, 2) };

        Assert.Equal("waiting for approval (1 of 2)", StatusDescriptions.Gate(Plain("waiting for its needs"), JobStatus.Waiting, job).Description);
        Assert.Equal("waiting for its needs", StatusDescriptions.Gate(Plain("waiting for its needs"), JobStatus.Waiting, Job(JobStatus.Waiting)).Description);
        Assert.Equal("passed", StatusDescriptions.Gate(Plain("passed"), JobStatus.Succeeded, job with { Status = JobStatus.Succeeded }).Description);
    }

    [Fact]
    public void A_publish_job_that_succeeded_says_its_pull_request()
    {
        var opened = new PullRequestRecord(1, 2, "acme/app", "cairn/1-implement", 12, "http://forge/acme/app/pull/12", "abc", true, null, null, Start);

        Assert.Equal("PR #12", StatusDescriptions.Publish(Plain("passed in 3s"), JobStatus.Succeeded, opened).Description);
        Assert.Equal("passed in 3s", StatusDescriptions.Publish(Plain("passed in 3s"), JobStatus.Succeeded, null).Description);
        Assert.Equal("running", StatusDescriptions.Publish(Plain("running"), JobStatus.Running, opened).Description);
    }

    private static CommitStatus Plain(string description) => new(CommitState.Success, "cairn/ci/implement", description, "http://cairn.test/runs/1");

    private static JobRecord Job(JobStatus status) => new(2, 1, "implement", "implement", [], [], status, 1, null, null, null, null, null, "{}");

    private static AgentSessionRecord Record(AgentUsage usage) =>
        new(1, 2, 1, "acme/app", new AgentReport(AgentCli.Claude, "sonnet", "s", usage, "done", "cairn/1-implement", null, null, true), Start);
}
