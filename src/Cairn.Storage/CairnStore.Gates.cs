using Cairn.Core.Gates;
using Cairn.Core.Runs;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>Approval gates and the decisions on them.</summary>
public abstract partial class CairnStore
{
    private readonly GateRecords _gateRecords;

    public Task<bool> OpenGateAsync(GateRecord gate, string pendingReason, CancellationToken cancellationToken) =>
        _gateRecords.OpenGateAsync(gate, pendingReason, cancellationToken);

    public Task<GateRecord?> GetGateAsync(long jobId, CancellationToken cancellationToken) =>
        _gateRecords.GetGateAsync(jobId, cancellationToken);

    public Task<IReadOnlyList<GateRecord>> GetOpenGatesAsync(CancellationToken cancellationToken) =>
        _gateRecords.GetOpenGatesAsync(cancellationToken);

    public Task<ApprovalRecord> AddApprovalAsync(NewApproval approval, CancellationToken cancellationToken) =>
        _gateRecords.AddApprovalAsync(approval, cancellationToken);

    public Task<IReadOnlyList<ApprovalRecord>> GetApprovalsAsync(long runId, CancellationToken cancellationToken) =>
        _gateRecords.GetApprovalsAsync(runId, cancellationToken);

    public Task<bool> EndGateAsync(long jobId, JobStatus to, JobTransition transition, CancellationToken cancellationToken) =>
        _gateRecords.EndGateAsync(jobId, to, transition, cancellationToken);

    public Task<bool> SetGateReasonAsync(long jobId, string pendingReason, CancellationToken cancellationToken) =>
        _gateRecords.SetGateReasonAsync(jobId, pendingReason, cancellationToken);
}
