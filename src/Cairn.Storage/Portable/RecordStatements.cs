namespace Cairn.Storage.Portable;

/// <summary>One dialect's text for the statements both stores run the same way around, each named where the dialect
/// supplies it, so that two cannot trade places unseen.</summary>
/// <remarks>Each dialect builds its instance from its own SQL file, where the text stays in view beside the rest.</remarks>
internal sealed record RecordStatements
{
    /// <summary>The run <c>@id</c>, with <see cref="RecordRows.RunColumns"/>.</summary>
    public required string RunById { get; init; }

    /// <summary>The jobs of run <c>@run</c> in their order, with <see cref="RecordRows.JobColumns"/>.</summary>
    public required string JobsOfRun { get; init; }

    /// <summary>Id and status of every job of run <c>@run</c>.</summary>
    public required string JobStatusesOfRun { get; init; }

    /// <summary>The job <c>@id</c>, with <see cref="RecordRows.JobColumns"/>.</summary>
    public required string JobById { get; init; }

    /// <summary>Moves job <c>@id</c> from <c>@from</c> to <c>@to</c>, neither queued nor ended.</summary>
    public required string MoveJob { get; init; }

    /// <summary>Moves job <c>@id</c> from <c>@from</c> to queued.</summary>
    public required string QueueJob { get; init; }

    /// <summary>Moves job <c>@id</c> from <c>@from</c> to the ended status <c>@to</c>.</summary>
    public required string EndJob { get; init; }

    /// <summary>Moves run <c>@id</c> from <c>@from</c> to <c>@to</c>.</summary>
    public required string MoveRun { get; init; }

    /// <summary>Writes step <c>@idx</c> of job <c>@job</c>, new or again.</summary>
    public required string UpsertStep { get; init; }

    /// <summary>The steps of job <c>@job</c> in their order.</summary>
    public required string StepsOfJob { get; init; }

    /// <summary>Up to <c>@limit</c> lines of job <c>@job</c>'s log after <c>@after</c>.</summary>
    public required string ReadLog { get; init; }

    /// <summary>Up to <c>@limit</c> lines of step <c>@step</c> of job <c>@job</c>'s log after <c>@after</c>.</summary>
    public required string ReadStepLog { get; init; }

    /// <summary>The last sequence number of job <c>@job</c>'s log, 0 when it has none.</summary>
    public required string LastLogSequence { get; init; }

    /// <summary>Up to <c>@limit</c> running jobs whose lease ran out before <c>@now</c>, the longest expired first.</summary>
    public required string ExpiredLeases { get; init; }

    /// <summary>Pushes back the end of lease <c>@lease</c> on job <c>@id</c>.</summary>
    public required string ExtendLease { get; init; }

    /// <summary>Ends job <c>@id</c> under lease <c>@lease</c>.</summary>
    public required string CompleteLease { get; init; }

    /// <summary>Puts job <c>@id</c> under lease <c>@lease</c> back in the queue for a retry.</summary>
    public required string RequeueLease { get; init; }
}
