using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Statuses;

public sealed class ChangeStatusTests
{
    [Fact]
    public void JobStatus_IsReadBack_AsTheJobsStatus_WithItsWireName()
    {
        var status = ChangeStatus.Parse("skipped", isJob: true);

        Assert.True(status.IsJob);
        Assert.Equal(JobStatus.Skipped, status.Job);
        Assert.Equal("skipped", status.ToWire());
        Assert.Throws<InvalidOperationException>(() => status.Run);
    }

    [Fact]
    public void RunStatus_IsReadBack_AsTheRunsStatus()
    {
        var status = ChangeStatus.Parse("waiting", isJob: false);

        Assert.False(status.IsJob);
        Assert.Equal(RunStatus.Waiting, status.Run);
        Assert.Throws<InvalidOperationException>(() => status.Job);
    }

    [Fact]
    public void AStatusARunCannotHave_IsNoRunsStatus()
    {
        Assert.Throws<FormatException>(() => ChangeStatus.Parse("queued", isJob: false));
        Assert.Throws<FormatException>(() => ChangeStatus.Parse("paused", isJob: true));
        Assert.Throws<FormatException>(() => ChangeStatus.FromWire("1"));
    }

    [Fact]
    public void Statuses_AreEqual_WhenTheyReadTheSame()
    {
        Assert.Equal(ChangeStatus.Of(JobStatus.Running), ChangeStatus.Of(RunStatus.Running));
        Assert.Equal("queued", ChangeStatus.Of(JobStatus.Queued));
        Assert.True(ChangeStatus.Of(RunStatus.Failed) == RunStatus.Failed);
        Assert.NotEqual(ChangeStatus.Of(JobStatus.Failed), ChangeStatus.Of(JobStatus.Cancelled));
        Assert.Equal(ChangeStatus.Of(JobStatus.Queued).GetHashCode(), ChangeStatus.FromWire("queued").GetHashCode());
    }
}
