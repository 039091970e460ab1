using System.Collections.Concurrent;
using System.Data.Common;
using Cairn.Core.Logs;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Workers;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Workers;

/// <summary>Takes a worker's log batches (<see cref="WorkerPaths.Log"/>): lines the job's log has already are skipped, so
/// a batch sent again is stored once; every line is masked again with the job's secrets and the repository's own tokens
/// and cut to <see cref="LogLine.MaxTextBytes"/>. One batch of a job at a time in this process; another replica's batch
/// racing it shows as a duplicate line, answered 503 so that the worker sends again.</summary>
public sealed class WorkerLogIntake(IRunStore runs, ServerSecretSource secrets)
{
    public const int MaxLines = 5_000;
    public const long MaxBytes = 8L << 20;

    /// <summary>How many leases' maskers and jobs' locks are kept before they are let go of all at once: a lease whose
    /// worker died is reaped without a word to this server, so not every entry is forgotten at its completion.</summary>
    private const int MaxKept = 10_000;

    private readonly ConcurrentDictionary<long, SemaphoreSlim> _locks = new();
    private readonly ConcurrentDictionary<Guid, SecretMasker> _maskers = new();

    /// <summary>Why the batch is too big, in a sentence; null when it is not.</summary>
    public static string? TooBig(LogBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Lines.Count > MaxLines)
        {
            return $"a batch holds at most {MaxLines} lines; this one has {batch.Lines.Count}";
        }

        long bytes = 0;
        foreach (var line in batch.Lines)
        {
            bytes += LogText.Utf8Length(line.Text ?? "");
        }

        return bytes > MaxBytes ? $"a batch holds at most {LogText.Size(MaxBytes)} of text" : null;
    }

    /// <summary>Stores what the job's log lacks of the batch; answers the highest line number the log then holds, or
    /// null when another replica wrote the same lines meanwhile.</summary>
    public async Task<long?> TakeAsync(JobLease lease, LogBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(batch);
        if (_locks.Count > MaxKept || _maskers.Count > MaxKept)
        {
            // Made again on demand. A batch racing one that holds a lock let go of here meets its lines in the store and
            // is answered 503, as a batch racing another replica's is.
            _locks.Clear();
            _maskers.Clear();
        }

        var gate = _locks.GetOrAdd(lease.JobId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var last = await runs.GetLastLogSequenceAsync(lease.JobId, cancellationToken);
            var fresh = new List<StoredLogLine>(batch.Lines.Count);
            for (var i = 0; i < batch.Lines.Count; i++)
            {
                var sequence = batch.First + i;
                if (sequence <= last)
                {
                    continue;
                }

                var line = batch.Lines[i];
                fresh.Add(new StoredLogLine(sequence, line.Step, line.Stream, line.At, await MaskAsync(lease, line.Text ?? "", cancellationToken)));
            }

            if (fresh.Count == 0)
            {
                return last;
            }

            try
            {
                await runs.AppendLogAsync(lease.JobId, fresh, cancellationToken);
                Core.Telemetry.CairnMeasurements.LogWritten(fresh);
            }
            catch (DbException ex) when (IsDuplicate(ex))
            {
                return null;
            }

            return fresh[^1].Sequence;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Lets go of what was kept for a lease once it has ended.</summary>
    public void Forget(JobLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        _maskers.TryRemove(lease.LeaseId, out _);
        _locks.TryRemove(lease.JobId, out _);
    }

    /// <summary>A job's waiting reason as the server keeps it: masked again, as its log lines are, with the job's
    /// secrets and the repository's status token and webhook secret (which never leave the server).</summary>
    public Task<string> MaskReasonAsync(JobLease lease, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(reason);
        return MaskAsync(lease, reason, cancellationToken);
    }

    private async Task<string> MaskAsync(JobLease lease, string text, CancellationToken cancellationToken)
    {
        if (!_maskers.TryGetValue(lease.LeaseId, out var masker))
        {
            masker = await MaskerAsync(lease, cancellationToken);
            _maskers[lease.LeaseId] = masker;
        }

        var clean = LogText.Clean(masker.Mask(text));
        var fits = LogText.FittingChars(clean, LogLine.MaxTextBytes);
        return fits == clean.Length ? clean : clean[..fits];
    }

    private async Task<SecretMasker> MaskerAsync(JobLease lease, CancellationToken cancellationToken)
    {
        if (await runs.GetRunAsync(lease.RunId, cancellationToken) is not { } run)
        {
            return SecretMasker.None;
        }

        var declared = JobDefinitionJson.Deserialize(lease.Job.Definition).Secrets;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in declared)
        {
            if (await secrets.ReadForMaskingAsync(run, name, cancellationToken) is { } value)
            {
                values[name] = value;
            }
        }

        return new SecretMasker(values, await secrets.AlsoMaskAsync(run, cancellationToken));
    }

    private static bool IsDuplicate(DbException ex) =>
        ex.SqlState == "23505" || ex.Message.Contains("UNIQUE constraint", StringComparison.OrdinalIgnoreCase);
}
