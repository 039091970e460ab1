namespace Cairn.Storage.Portable;

/// <summary>The order of queued jobs within a priority: by a fair key written when a job becomes queued, then by id.</summary>
/// <remarks>The key is the time the job was queued plus its position among the jobs its run queues at that moment (0, 1,
/// 2, …) times <see cref="SliceMillis"/>; a retry's key is the time its back-off ends. So a burst of runs has every run's
/// first job claimed before any run's second, a run of a thousand jobs holds back a run queued a minute after it for at
/// most the jobs it queued in that minute's slices, and a run's jobs keep their order among themselves.</remarks>
internal static class FairOrder
{
    /// <summary>How much later each next job of a run queued together is keyed: one second.</summary>
    public const long SliceMillis = 1000;

    /// <summary>The key of the job at <paramref name="position"/> among those its run queued at <paramref name="queuedAt"/>
    /// (unix milliseconds).</summary>
    public static long KeyOf(long queuedAt, int position) => queuedAt + (position * SliceMillis);

    /// <summary>The key's expression in a statement that queues the jobs <c>@job0</c>… (<paramref name="count"/> of them)
    /// at <c>@at</c>, the first of them at position <c>@first</c> among the run's jobs queued then.</summary>
    public static string KeyOfListed(int count) =>
        $"@at + (@first + CASE id {string.Concat(Enumerable.Range(0, count).Select(i => $"WHEN @job{i} THEN {i} "))}END) * {SliceMillis}";
}
