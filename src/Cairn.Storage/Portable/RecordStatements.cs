namespace Cairn.Storage.Portable;

/// <summary>One dialect's text for the statements both stores run the same way around.</summary>
/// <remarks>Each dialect builds its instance from its own SQL file, where the text stays in view beside the rest.</remarks>
internal sealed record RecordStatements(
    string RunById,
    string JobsOfRun,
    string JobStatusesOfRun,
    string JobById,
    string MoveJob,
    string QueueJob,
    string EndJob,
    string MoveRun,
    string UpsertStep,
    string StepsOfJob,
    string ReadLog,
    string LastLogSequence,
    string ExpiredLeases,
    string ExtendLease,
    string CompleteLease,
    string RequeueLease);
