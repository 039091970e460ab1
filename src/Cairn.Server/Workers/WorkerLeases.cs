using Cairn.Core.Runs;
using Cairn.Core.Workers;
using Cairn.Server.Access;
using Cairn.Server.Api;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Workers;

/// <summary>Finds the lease a worker calls about, and answers for it when it is not the worker's to call about: 404 when
/// no lease of that id is the worker's (whoever holds it), 409 <see cref="WorkerProblems.LeaseLost"/> when it was the
/// worker's and has ended, been reaped or passed on.</summary>
public sealed class WorkerLeases(ILeaseRecords leases, IRunStore runs)
{
    /// <summary>The lease, when it is the caller's (running or not); else the answer to give.</summary>
    public async Task<(LeaseRecord? Lease, IResult? Refusal)> FindAsync(Caller caller, Guid leaseId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var found = await leases.GetLeaseAsync(leaseId, cancellationToken);
        if (found is null || caller.Worker is not { } worker
            || !string.Equals(WorkerNames.OwnerName(found.Owner), worker.Name, StringComparison.Ordinal))
        {
            return (null, Problems.NotFound($"worker {caller.Worker?.Name} holds no lease {leaseId:D}"));
        }

        return (found, null);
    }

    /// <summary>The running lease, as the queue takes it, with its job; else the answer to give.</summary>
    public async Task<(JobLease? Lease, IResult? Refusal)> FindRunningAsync(Caller caller, Guid leaseId, CancellationToken cancellationToken)
    {
        var (found, refusal) = await FindAsync(caller, leaseId, cancellationToken);
        if (found is null)
        {
            return (null, refusal);
        }

        if (!found.Running || await runs.GetJobAsync(found.JobId, cancellationToken) is not { } job)
        {
            return (null, LeaseLost(leaseId));
        }

        return (new JobLease(found.JobId, found.RunId, found.LeaseId, found.Owner!, found.Attempt, found.ExpiresAt ?? default, job), null);
    }

    public static IResult LeaseLost(Guid leaseId) => Results.Problem(
        $"lease {leaseId:D} has ended or passed to another worker: stop the job; nothing more of it is taken",
        statusCode: StatusCodes.Status409Conflict,
        title: "The lease is lost",
        type: WorkerProblems.LeaseLost);
}
