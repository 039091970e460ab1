using System.Net.Http;
using Cairn.Core.Engine;
using Cairn.Core.Runs;
using Cairn.Core.Workers;

namespace Cairn.Workers;

/// <summary>The job's secrets, asked of the server once per lease (each handed out is audited there) and kept only
/// while the lease lives. The forge's tokens never leave the server, which masks them when it stores the log.</summary>
public sealed class RemoteSecretSource(WorkerConnection connection, RemoteLeases leases) : ISecretSource
{
    public async Task<string?> GetAsync(RunRecord run, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var grant = await GrantAsync(leases.ForRunOrThrow(run.Id), cancellationToken);
        return grant.Values.GetValueOrDefault(name);
    }

    public async Task<string?> GetAsync(RunRecord run, JobRecord job, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var grant = await GrantAsync(leases.ForJobOrThrow(job.Id), cancellationToken);
        return grant.Values.GetValueOrDefault(name);
    }

    public async Task<string?> RefusalAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return (await GrantAsync(leases.ForRunOrThrow(run.Id), cancellationToken)).Refusal;
    }

    public Task<IReadOnlyCollection<string>> AlsoMaskAsync(RunRecord run, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyCollection<string>>([]);

    private Task<SecretGrant> GrantAsync(RemoteLease lease, CancellationToken cancellationToken) =>
        lease.SecretsAsync(async () =>
        {
            var (_, grant) = await connection.CallAsync(
                $"secrets of job {lease.JobId}",
                HttpMethod.Post,
                WorkerPaths.Secrets(lease.Grant.LeaseId),
                null,
                WorkerProtocolJson.Default.SecretGrant,
                TimeSpan.Zero,
                TimeSpan.FromMinutes(2),
                cancellationToken);
            return grant ?? new SecretGrant(new Dictionary<string, string>(), null);
        });
}
