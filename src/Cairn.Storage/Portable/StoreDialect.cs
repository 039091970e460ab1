namespace Cairn.Storage.Portable;

/// <summary>What one dialect hands the shared store (<see cref="CairnStore"/>): the text of its statements, how it reads
/// its rows, how it writes a new run's jobs, and how its lease_id column takes a lease id.</summary>
internal sealed record StoreDialect
{
    public required RecordStatements Records { get; init; }

    public required RecordRows Rows { get; init; }

    public required IRunDialect Runs { get; init; }

    public required ChangeFeedStatements Changes { get; init; }

    public required RetentionStatements Retention { get; init; }

    public required ClaimStatements Claims { get; init; }

    public required LogSearchStatements LogSearch { get; init; }

    public required ArtifactFileInsert ArtifactFiles { get; init; }

    /// <summary>The lease id as the dialect's lease_id column takes it.</summary>
    public required Func<Guid, object> LeaseIdValue { get; init; }
}
