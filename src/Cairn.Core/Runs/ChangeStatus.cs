namespace Cairn.Core.Runs;

/// <summary>The new status a <see cref="RunChange"/> records: a <see cref="RunStatus"/> for a run's change, a
/// <see cref="JobStatus"/> for a job's. Two are equal when they read the same (<see cref="ToWire"/>), which is also
/// what the feed sends.</summary>
public sealed class ChangeStatus : IEquatable<ChangeStatus>
{
    private readonly RunStatus? _run;
    private readonly JobStatus? _job;

    private ChangeStatus(RunStatus? run, JobStatus? job)
    {
        _run = run;
        _job = job;
    }

    /// <summary>Whether this is a job's status (else a run's).</summary>
    public bool IsJob => _job is not null;

    /// <summary>The run's status; throws for a job's.</summary>
    public RunStatus Run => _run ?? throw new InvalidOperationException($"'{ToWire()}' is a job's status, not a run's");

    /// <summary>The job's status; throws for a run's.</summary>
    public JobStatus Job => _job ?? throw new InvalidOperationException($"'{ToWire()}' is a run's status, not a job's");

    public static ChangeStatus Of(RunStatus status) => new(status, null);

    public static ChangeStatus Of(JobStatus status) => new(null, status);

    /// <summary>Reads a wire name as a job's status (<paramref name="isJob"/>) or a run's.</summary>
    /// <exception cref="FormatException">The name is not a status of that kind.</exception>
    public static ChangeStatus Parse(string wire, bool isJob)
    {
        ArgumentNullException.ThrowIfNull(wire);
        if (isJob)
        {
            return Named<JobStatus>(wire, StatusNames.ToWire) is { } job ? Of(job) : throw new FormatException($"'{wire}' is not a job status");
        }

        return Named<RunStatus>(wire, StatusNames.ToWire) is { } run ? Of(run) : throw new FormatException($"'{wire}' is not a run status");
    }

    /// <summary>Reads a wire name as a run's status where a run can have it, else as a job's (queued, skipped): for
    /// comparing with a name, where the kind does not matter.</summary>
    /// <exception cref="FormatException">The name is no status at all.</exception>
    public static ChangeStatus FromWire(string wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        return Named<RunStatus>(wire, StatusNames.ToWire) is { } run ? Of(run) : Parse(wire, isJob: true);
    }

    public static implicit operator ChangeStatus(RunStatus status) => Of(status);

    public static implicit operator ChangeStatus(JobStatus status) => Of(status);

    public static implicit operator ChangeStatus(string wire) => FromWire(wire);

    public static bool operator ==(ChangeStatus? left, ChangeStatus? right) => Equals(left, right);

    public static bool operator !=(ChangeStatus? left, ChangeStatus? right) => !Equals(left, right);

    /// <summary>The lower-case name the store keeps and the feed sends.</summary>
    public string ToWire() => _job?.ToWire() ?? _run!.Value.ToWire();

    public override string ToString() => ToWire();

    public bool Equals(ChangeStatus? other) => other is not null && string.Equals(ToWire(), other.ToWire(), StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as ChangeStatus);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToWire());

    /// <summary>The value whose wire name is exactly <paramref name="wire"/> (no numbers, no other casing), or null.</summary>
    private static T? Named<T>(string wire, Func<T, string> name)
        where T : struct, Enum =>
        Enum.GetValues<T>().Where(value => string.Equals(name(value), wire, StringComparison.Ordinal)).Select(value => (T?)value).FirstOrDefault();
}
