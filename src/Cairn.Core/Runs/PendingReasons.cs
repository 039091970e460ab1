using System.Globalization;
using Cairn.Core.Planning;

namespace Cairn.Core.Runs;

/// <summary>Pure: why each job of a run that is neither running nor ended waits, from the run and its jobs as one
/// query returns them (needs, labels, the retry time and the stored retry rule are all on the job).</summary>
public static class PendingReasons
{
    private const int NamedWorkers = 3;

    private const int NamedNeeds = 5;

    /// <summary>The reason of every waiting or queued job, and of every running job its executor said it waits on, by job
    /// id; other running jobs and ended ones have none.</summary>
    /// <param name="workers">The server's own workers, or null when the caller knows of none to speak for.</param>
    /// <param name="now">Whether a retry time has passed is read against this.</param>
    /// <param name="limit">The run's repository's limit of running jobs and how many run now; null when it has none.</param>
    public static IReadOnlyDictionary<long, PendingReason> Of(
        RunRecord run, IReadOnlyList<JobRecord> jobs, LocalWorkers? workers, DateTimeOffset now, RepositoryLoad? limit = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(jobs);

        var statusByName = new Dictionary<string, JobStatus>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            statusByName[job.Name] = job.Status;
        }

        var reasons = new Dictionary<long, PendingReason>();
        foreach (var job in jobs)
        {
            if (Of(run, job, statusByName, workers, now, limit) is { } reason)
            {
                reasons[job.Id] = reason;
            }
        }

        return reasons;
    }

    private static PendingReason? Of(
        RunRecord run, JobRecord job, Dictionary<string, JobStatus> statusByName, LocalWorkers? workers, DateTimeOffset now, RepositoryLoad? limit)
    {
        if (job is { Status: JobStatus.Running, PendingReason: { Length: > 0 } waiting })
        {
            return new PendingReason(PendingReasonKind.Executor, waiting);
        }

        if (job.Status is not (JobStatus.Waiting or JobStatus.Queued))
        {
            return null;
        }

        if (run.Status == RunStatus.Waiting && run.WaitingBehind is { } ahead)
        {
            return new PendingReason(
                PendingReasonKind.Concurrency,
                run.PendingReason ?? string.Create(CultureInfo.InvariantCulture, $"waiting behind run id {ahead} in concurrency group '{run.ConcurrencyGroup}'"));
        }

        if (run.Status == RunStatus.Waiting)
        {
            return new PendingReason(PendingReasonKind.Approval, run.PendingReason ?? "waiting for a maintainer's approval");
        }

        if (job is { Status: JobStatus.Waiting, PendingReason: { Length: > 0 } gate })
        {
            // An approval job's open gate: who may approve it, and how many have.
            return new PendingReason(PendingReasonKind.Approval, gate);
        }

        return job.Status == JobStatus.Waiting ? Needs(job, statusByName) : Queued(job, workers, now, limit);
    }

    private static PendingReason Needs(JobRecord job, Dictionary<string, JobStatus> statusByName)
    {
        // A need the run does not hold (a rerun of some jobs) cannot hold this one back.
        var open = job.Needs.Where(n => statusByName.TryGetValue(n, out var status) && !status.IsTerminal()).ToList();
        if (open.Count == 0)
        {
            return new PendingReason(PendingReasonKind.Needs, "waiting: every job it needs has ended; it is about to be queued or skipped");
        }

        var named = string.Join(", ", open.Take(NamedNeeds));
        var more = open.Count > NamedNeeds ? string.Create(CultureInfo.InvariantCulture, $" and {open.Count - NamedNeeds} more") : "";
        return new PendingReason(PendingReasonKind.Needs, $"waiting for {named}{more}");
    }

    private static PendingReason Queued(JobRecord job, LocalWorkers? workers, DateTimeOffset now, RepositoryLoad? limit)
    {
        if (job.RetryAt is { } at && at > now)
        {
            return new PendingReason(PendingReasonKind.Retry, $"retrying after {at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)} UTC ({Attempts(job)})");
        }

        if (limit is { IsFull: true } full)
        {
            return new PendingReason(
                PendingReasonKind.Limit, string.Create(CultureInfo.InvariantCulture, $"repository limit ({full.Running}/{full.MaxRunning} running)"));
        }

        var wanted = job.Labels.Count == 0 ? "queued: waiting for a free worker" : $"queued: waiting for a worker with labels [{string.Join(", ", job.Labels)}]";
        return new PendingReason(PendingReasonKind.Worker, wanted + WhyNoWorker(job.Labels, workers));
    }

    /// <summary>Nothing when some worker could take the job now (it waits for a free one); else who could, and why they
    /// do not: the server runs none itself or offers other labels, and the registered workers that have the labels are
    /// paused or away.</summary>
    private static string WhyNoWorker(IReadOnlyList<string> labels, LocalWorkers? workers)
    {
        if (workers is null)
        {
            return "";
        }

        var here = workers.Slots > 0 && labels.All(l => workers.Labels.Contains(l, StringComparer.Ordinal));
        var able = workers.Registered.Where(w => w.Has(labels)).ToList();
        if (here || able.Any(w => w.Taking))
        {
            return "";
        }

        var server = workers.Slots == 0 ? "this server runs no jobs itself" : labels.Count == 0 ? "" : "no worker of this server has them";
        var registered = able.Count > 0
            ? "the workers that may: " + string.Join(", ", able.Take(NamedWorkers).Select(w => $"{w.Name} ({(w.Paused ? "paused" : "not connected")})"))
                + (able.Count > NamedWorkers ? string.Create(CultureInfo.InvariantCulture, $" and {able.Count - NamedWorkers} more") : "")
            : workers.Registered.Count > 0 ? (labels.Count == 0 ? "no registered worker is connected" : "no registered worker has them") : "";
        var parts = new[] { server, registered }.Where(p => p.Length > 0).ToList();
        return parts.Count == 0 ? "" : "; " + string.Join("; ", parts);
    }

    private static string Attempts(JobRecord job)
    {
        var next = job.Attempt + 1;
        var after = job.FailureClass is { } failure ? $", after {failure.ToWire()} failure" : "";
        return MaxRetries(job) is { } max
            ? string.Create(CultureInfo.InvariantCulture, $"attempt {next} of {max + 1}{after}")
            : string.Create(CultureInfo.InvariantCulture, $"attempt {next}{after}");
    }

    // Without a retry rule an infra failure is retried once (RetryPolicy); a definition that does not read says nothing.
    private static int? MaxRetries(JobRecord job)
    {
        try
        {
            return JobDefinitionJson.Deserialize(job.Definition).Retry?.Max ?? 1;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

/// <summary>A repository's limit of running jobs and how many of its jobs run now, as a run's view reads them.</summary>
public sealed record RepositoryLoad(int Running, int MaxRunning)
{
    /// <summary>Whether a queued job of the repository is held back: it runs as many jobs as it may, or more (the limit
    /// was lowered under running jobs).</summary>
    public bool IsFull => Running >= MaxRunning;
}
