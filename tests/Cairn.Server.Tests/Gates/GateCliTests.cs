using Cairn.Cli.Tests;
using Cairn.Core.Access;

namespace Cairn.Server.Tests.Gates;

/// <summary><c>cairn approve RUN --job NAME</c> and <c>cairn reject RUN --job NAME</c>, the real cairn against a real
/// server: the gate is found by the job's name, the decision goes through the CLI's channel, and a refusal or an unknown
/// job is one clear error line.</summary>
public sealed class GateCliTests : IAsyncLifetime
{
    private GateWorld world = null!;

    public async ValueTask InitializeAsync() => world = await GateWorld.StartAsync();

    public async ValueTask DisposeAsync() => await world.DisposeAsync();

    [Fact]
    public async Task Approve_with_a_job_decides_its_gate_through_the_cli_and_refusals_are_one_error_line()
    {
        var (run, _) = await world.StartGatedRunAsync(["carol"]);
        var id = run.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var unknown = await CairnAs("carol", "approve", id, "--job", "nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal($"error: run {id} has no job 'nope' (its jobs: approve, after)", unknown.Stderr.Trim());

        var refused = await CairnAs("dev", "approve", id, "--job", "approve");
        Assert.Equal(1, refused.ExitCode);
        Assert.StartsWith("error: dev may not decide 'approve'", refused.Stderr.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", refused.Stderr, StringComparison.Ordinal);

        var misplaced = await CairnAs("carol", "approve", id, "--comment", "no job named");
        Assert.Equal(2, misplaced.ExitCode);

        var approved = await CairnAs("carol", "approve", id, "--job", "approve", "--comment", "from the terminal");
        Assert.True(approved.ExitCode == 0, approved.ToString());
        Assert.EndsWith("approve: approved by carol (succeeded)", approved.Stdout.Trim(), StringComparison.Ordinal);
        Assert.Equal("succeeded", (await world.Server.WaitForRunAsync(run)).Status);
        Assert.Contains(await world.AuditAsync(AuditActions.GateApproved), e =>
            e.Actor == "carol" && e.Outcome == AuditOutcomes.Ok && e.Detail!.StartsWith("channel cli; comment: from the terminal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reject_with_a_job_cancels_the_gate_with_the_comment()
    {
        var (run, _) = await world.StartGatedRunAsync(["carol"]);
        var id = run.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var rejected = await CairnAs("carol", "reject", id, "--job", "approve", "--comment", "wrong approach", "--json");
        Assert.True(rejected.ExitCode == 0, rejected.ToString());
        Assert.Contains("\"summary\":\"rejected by carol (cli): wrong approach\"", rejected.Stdout, StringComparison.Ordinal);

        var ended = await world.Server.WaitForRunAsync(run);
        Assert.Equal("cancelled", ended.Status);
        Assert.Equal("skipped", ended.Jobs!.Single(j => j.Name == "after").Status);
    }

    private Task<CairnResult> CairnAs(string person, params string[] args) =>
        CairnProcess.RunAsync(
            Path.GetTempPath(),
            new Dictionary<string, string?> { ["CAIRN_SERVER"] = world.Server.Url, ["CAIRN_TOKEN"] = world.Token(person) },
            args);
}
