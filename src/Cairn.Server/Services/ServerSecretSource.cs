using System.Security.Cryptography;
using Cairn.Core.Engine;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Secrets;
using Cairn.Server.Hosting;

namespace Cairn.Server.Services;

/// <summary>The secrets a server's jobs read: the run's repository's own first, then the global ones. Every read is
/// written to the audit log before the value is handed out, so no value leaves the store unrecorded.</summary>
public sealed class ServerSecretSource(
    IRepositoryStore repositories, ISecretStore secrets, IAuditLog audit, RepositorySecrets sealing, TimeProvider time,
    ServerCredentials? credentials = null) : ISecretSource
{
    public const string ForkRefusal = "pull requests from forks get no secrets (the repository allows it with allowForkSecrets)";

    public Task<string?> GetAsync(RunRecord run, string name, CancellationToken cancellationToken) =>
        ReadAsync(run, null, name, cancellationToken);

    public Task<string?> GetAsync(RunRecord run, JobRecord job, string name, CancellationToken cancellationToken) =>
        ReadAsync(run, job, name, cancellationToken);

    /// <summary>A secret's value handed to a worker over HTTP for <paramref name="job"/>: audited as every read is, naming
    /// the worker it went to and the address it called from.</summary>
    public Task<string?> HandOutAsync(RunRecord run, JobRecord job, string name, string worker, string? address, CancellationToken cancellationToken) =>
        ReadAsync(run, job, name, cancellationToken, handedTo: (worker, address));

    /// <summary>A secret's value that only masks a log the server stores (a worker's lines, masked again): nothing leaves
    /// the server, so the read is not audited.</summary>
    public Task<string?> ReadForMaskingAsync(RunRecord run, string name, CancellationToken cancellationToken) =>
        ReadAsync(run, null, name, cancellationToken, audited: false);

    /// <summary>A pull request from a fork runs code anyone may have written: it gets no secrets unless the repository
    /// says it may.</summary>
    public async Task<string?> RefusalAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Trigger?.IsFork != true)
        {
            return null;
        }

        var repository = run.Repository is null ? null : await repositories.GetRepositoryAsync(run.Repository, cancellationToken);
        return repository?.AllowForkSecrets == true ? null : ForkRefusal;
    }

    /// <summary>The repository's status token and webhook secret, and the server's own credentials: a job has no
    /// business printing them, and should never come by them.</summary>
    public async Task<IReadOnlyCollection<string>> AlsoMaskAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var server = credentials?.Values ?? [];
        if (run.Repository is null || await repositories.GetRepositoryAsync(run.Repository, cancellationToken) is not { } repository)
        {
            return server;
        }

        return [.. server, .. new[] { sealing.ForgeToken(repository), sealing.WebhookSecret(repository) }.OfType<string>()];
    }

    private async Task<string?> ReadAsync(
        RunRecord run, JobRecord? job, string name, CancellationToken cancellationToken, bool audited = true, (string Worker, string? Address)? handedTo = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(name);
        var found = (run.Repository is null ? null : await secrets.GetSealedSecretAsync(run.Repository, name, cancellationToken))
            ?? await secrets.GetSealedSecretAsync(null, name, cancellationToken);
        if (found is null)
        {
            return null;
        }

        string value;
        try
        {
            value = sealing.OpenSecret(found);
        }
        catch (CryptographicException)
        {
            var owner = found.Scope is null ? "the global secret" : $"the secret of {found.Scope}";
            throw new InvalidOperationException($"{owner} '{name}' does not open: it was sealed under another master key; set it again");
        }

        if (!audited)
        {
            return value;
        }

        Core.Telemetry.CairnMeasurements.SecretRead();

        await audit.AppendAuditAsync(
            new NewAuditEntry(time.GetUtcNow(), run.Id, job?.Id, run.Repository, name, SecretActions.Read, Detail: handedTo is { } to ? $"handed to worker {to.Worker}" : null)
            {
                ClientAddress = handedTo?.Address,
            },
            cancellationToken);
        return value;
    }
}
