using Cairn.Core.Agents;
using Cairn.Core.Runs;
using Cairn.Storage.Portable;

namespace Cairn.Storage;

/// <summary>What agent jobs' attempts say of their agents (session, usage, result), the spend a daily budget reads, and
/// the giving back of a leased job that may not start yet.</summary>
public abstract partial class CairnStore
{
    private readonly AgentSessionRecords _agents;
    private readonly TimeProvider _agentTime;

    public Task RecordAgentAsync(long jobId, int attempt, AgentReport report, DateTimeOffset at, CancellationToken cancellationToken) =>
        _agents.RecordAsync(jobId, attempt, report, at, cancellationToken);

    /// <summary>Records the attempt's agent while <paramref name="leaseId"/> still holds the job; false when it does not.</summary>
    public Task<bool> RecordAgentAsync(long jobId, Guid leaseId, int attempt, AgentReport report, CancellationToken cancellationToken) =>
        _agents.RecordUnderLeaseAsync(jobId, leaseId, attempt, report, _agentTime.GetUtcNow(), cancellationToken);

    public Task<AgentSessionRecord?> GetAgentSessionAsync(long jobId, int attempt, CancellationToken cancellationToken) =>
        _agents.GetAsync(jobId, attempt, cancellationToken);

    public Task<IReadOnlyList<AgentSessionRecord>> GetAgentSessionsAsync(long runId, CancellationToken cancellationToken) =>
        _agents.OfRunAsync(runId, cancellationToken);

    public Task<AgentSpend> GetAgentSpendAsync(string repository, DateTimeOffset since, CancellationToken cancellationToken) =>
        _agents.SpendAsync(repository, since, cancellationToken);

    public Task<bool> DeferAsync(JobLease lease, DateTimeOffset until, string reason, CancellationToken cancellationToken) =>
        _agents.DeferAsync(lease, until, reason, _agentTime.GetUtcNow(), cancellationToken);
}
