using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Statuses;

public sealed class StatusTransitionsTests
{
    private static readonly (RunStatus From, RunStatus To)[] RunMoves =
    [
        (RunStatus.Waiting, RunStatus.Running),
        (RunStatus.Waiting, RunStatus.Cancelled),
        (RunStatus.Running, RunStatus.Succeeded),
        (RunStatus.Running, RunStatus.Failed),
        (RunStatus.Running, RunStatus.Cancelled),
    ];

    private static readonly (JobStatus From, JobStatus To)[] JobMoves =
    [
        (JobStatus.Waiting, JobStatus.Queued),
        (JobStatus.Waiting, JobStatus.Skipped),
        (JobStatus.Waiting, JobStatus.Cancelled),
        (JobStatus.Queued, JobStatus.Running),
        (JobStatus.Queued, JobStatus.Failed),
        (JobStatus.Queued, JobStatus.Cancelled),
        (JobStatus.Running, JobStatus.Queued),
        (JobStatus.Running, JobStatus.Succeeded),
        (JobStatus.Running, JobStatus.Failed),
        (JobStatus.Running, JobStatus.Skipped),
        (JobStatus.Running, JobStatus.Cancelled),
    ];

    public static TheoryData<RunStatus, RunStatus> AllowedRunMoves => new(RunMoves);

    public static TheoryData<JobStatus, JobStatus> AllowedJobMoves => new(JobMoves);

    [Theory]
    [MemberData(nameof(AllowedRunMoves))]
    public void RunMove_InTheTable_IsAllowed(RunStatus from, RunStatus to) => Assert.True(RunStatusTransitions.IsAllowed(from, to));

    [Theory]
    [MemberData(nameof(AllowedJobMoves))]
    public void JobMove_InTheTable_IsAllowed(JobStatus from, JobStatus to) => Assert.True(JobStatusTransitions.IsAllowed(from, to));

    [Fact]
    public void TheFullLists_AreExactlyTheAllowedMoves()
    {
        Assert.Equal(
            RunMoves.Order(),
            RunStatusTransitions.All.Order());
        Assert.Equal(
            JobMoves.Order(),
            JobStatusTransitions.All.Order());
    }

    [Fact]
    public void EveryPairOutsideTheLists_IsForbidden()
    {
        foreach (var from in Enum.GetValues<RunStatus>())
        {
            foreach (var to in Enum.GetValues<RunStatus>())
            {
                Assert.Equal(RunStatusTransitions.All.Contains((from, to)), RunStatusTransitions.IsAllowed(from, to));
            }
        }

        foreach (var from in Enum.GetValues<JobStatus>())
        {
            foreach (var to in Enum.GetValues<JobStatus>())
            {
                Assert.Equal(JobStatusTransitions.All.Contains((from, to)), JobStatusTransitions.IsAllowed(from, to));
            }
        }
    }

    [Theory]
    [InlineData(RunStatus.Succeeded, RunStatus.Running)]
    [InlineData(RunStatus.Cancelled, RunStatus.Waiting)]
    [InlineData(RunStatus.Failed, RunStatus.Succeeded)]
    [InlineData(RunStatus.Running, RunStatus.Waiting)]
    [InlineData(RunStatus.Waiting, RunStatus.Succeeded)]
    [InlineData(RunStatus.Running, RunStatus.Running)]
    public void RunMove_OutOfTheTable_IsForbidden(RunStatus from, RunStatus to)
    {
        Assert.False(RunStatusTransitions.IsAllowed(from, to));
        Assert.Equal($"a run does not move from {from.ToWire()} to {to.ToWire()}", RunStatusTransitions.Refusal(from, to));
    }

    [Theory]
    [InlineData(JobStatus.Succeeded, JobStatus.Running)]
    [InlineData(JobStatus.Cancelled, JobStatus.Queued)]
    [InlineData(JobStatus.Skipped, JobStatus.Queued)]
    [InlineData(JobStatus.Failed, JobStatus.Queued)]
    [InlineData(JobStatus.Waiting, JobStatus.Running)]
    [InlineData(JobStatus.Queued, JobStatus.Waiting)]
    [InlineData(JobStatus.Running, JobStatus.Waiting)]
    [InlineData(JobStatus.Waiting, JobStatus.Succeeded)]
    public void JobMove_OutOfTheTable_IsForbidden(JobStatus from, JobStatus to)
    {
        Assert.False(JobStatusTransitions.IsAllowed(from, to));
        Assert.Equal($"a job does not move from {from.ToWire()} to {to.ToWire()}", JobStatusTransitions.Refusal(from, to));
    }

    [Fact]
    public void EndedStatuses_GoNowhere()
    {
        Assert.DoesNotContain(RunStatusTransitions.All, move => move.From.HasEnded());
        Assert.DoesNotContain(JobStatusTransitions.All, move => move.From.IsTerminal());
    }
}
