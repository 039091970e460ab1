using Cairn.Core.Runs;
using Cairn.Core.Workers;

namespace Cairn.Workers;

/// <summary>What the worker process knows of one lease it holds: the grant, the run as last heard of, its spool and
/// the secrets it was given.</summary>
public sealed class RemoteLease(LeaseGrant grant, LogSpool spool)
{
    private readonly Lock _gate = new();
    private RunRecord _run = grant.Run.ToRecord();
    private Task<SecretGrant>? _secrets;

    public LeaseGrant Grant { get; } = grant;

    public LogSpool Spool { get; } = spool;

    /// <summary>How long ago the grant arrived.</summary>
    public TimeSpan Age => TimeSpan.FromMilliseconds(Environment.TickCount64 - _leasedAt);

    private readonly long _leasedAt = Environment.TickCount64;

    public long JobId => Grant.Job.Id;

    public long RunId => Grant.Run.Id;

    /// <summary>The lease was found lost (a heartbeat, a call answered lease-lost).</summary>
    public bool Lost { get; private set; }

    /// <summary>The run as the grant gave it, with the cancel request a heartbeat learnt since.</summary>
    public RunRecord Run
    {
        get
        {
            lock (_gate)
            {
                return _run;
            }
        }
    }

    public void CancelRequested(string? reason)
    {
        lock (_gate)
        {
            _run = _run with { CancelRequested = true, CancelReason = reason ?? _run.CancelReason };
        }
    }

    public void MarkLost() => Lost = true;

    /// <summary>The job's secrets, asked of the server once for the lease.</summary>
    public Task<SecretGrant> SecretsAsync(Func<Task<SecretGrant>> fetch)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        lock (_gate)
        {
            if (_secrets is null || _secrets.IsFaulted || _secrets.IsCanceled)
            {
                _secrets = fetch();
            }

            return _secrets;
        }
    }
}
