using Cairn.Core.Access;
using Cairn.Core.Runners;
using Cairn.Core.Workers;
using Cairn.Server.Access;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Api;

/// <summary>What a client sends to add a worker: its name and the labels it may offer (none: it takes only jobs that ask
/// for no label).</summary>
public sealed record WorkerRequest(string? Name, IReadOnlyList<string>? Labels);

/// <summary>A worker as listed: never its token. <c>connected</c>: it called the server within
/// <see cref="WorkersApi.ConnectedWithin"/>; <c>runningJobs</c>: jobs running now under its leases.</summary>
public sealed record WorkerView(
    string Name,
    IReadOnlyList<string> Labels,
    string? Version,
    bool Connected,
    DateTimeOffset? LastSeenAt,
    int RunningJobs,
    bool Paused,
    string? Address,
    DateTimeOffset CreatedAt,
    string? CreatedBy);

/// <summary>A worker just added: the one answer that carries its token, which the server keeps only as a hash.</summary>
public sealed record CreatedWorkerView(string Name, IReadOnlyList<string> Labels, string Token);

/// <summary>Workers (an admin's endpoints): add one and get its token once, list them with what each is doing, pause,
/// resume and remove one. A paused worker takes no new jobs and finishes those it has; a removed worker's token stops
/// working at once.</summary>
internal static class WorkersApi
{
    /// <summary>A worker that called within this long is shown as connected (its long polls come far more often).</summary>
    public static readonly TimeSpan ConnectedWithin = TimeSpan.FromSeconds(60);

    public const int MaxLabels = 32;

    public const int LabelMaxLength = 100;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/workers", AddAsync).WithName("AddWorker").ForGlobal(Permission.ManageWorkers);
        api.MapGet("/workers", ListAsync).WithName("ListWorkers").ForGlobal(Permission.ManageWorkers);
        api.MapPost("/workers/{name}/pause", (string name, Caller caller, IWorkerStore workers, WorkerIdentities identities, AuditTrail audit, TimeProvider time, CancellationToken ct) =>
            SetPausedAsync(name, true, caller, workers, identities, audit, time, ct)).WithName("PauseWorker").ForGlobal(Permission.ManageWorkers);
        api.MapPost("/workers/{name}/resume", (string name, Caller caller, IWorkerStore workers, WorkerIdentities identities, AuditTrail audit, TimeProvider time, CancellationToken ct) =>
            SetPausedAsync(name, false, caller, workers, identities, audit, time, ct)).WithName("ResumeWorker").ForGlobal(Permission.ManageWorkers);
        api.MapDelete("/workers/{name}", RemoveAsync).WithName("RemoveWorker").ForGlobal(Permission.ManageWorkers);
    }

    internal static WorkerView View(WorkerRecord worker, DateTimeOffset now) => new(
        worker.Name,
        worker.Labels,
        worker.Version,
        worker.LastSeenAt is { } seen && now - seen <= ConnectedWithin,
        worker.LastSeenAt,
        worker.RunningJobs,
        worker.Paused,
        worker.Address,
        worker.CreatedAt,
        worker.CreatedBy);

    /// <summary>Null when <paramref name="label"/> may be a worker's label (the rule runner aliases' labels follow); else
    /// why not.</summary>
    internal static string? LabelProblem(string? label) =>
        string.IsNullOrEmpty(label) ? "a label cannot be empty"
        : label.Length > LabelMaxLength ? $"a label has at most {LabelMaxLength} characters"
        : WorkerLabels.IsValid(label) ? null
        : $"'{label}' is not a valid label; {WorkerLabels.Rule}";

    internal static async Task<IResult> AddAsync(
        WorkerRequest? request, Caller caller, IWorkerStore workers, AuditTrail audit, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return Problems.BadRequest("send a JSON object: { \"name\": \"build-1\", \"labels\": [\"linux\", \"big\"] }");
        }

        var errors = new List<string>();
        var name = request.Name?.Trim();
        if (WorkerNames.Problem(name) is { } badName)
        {
            errors.Add($"name: {badName}");
        }

        var labels = (request.Labels ?? []).Select(l => l?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
        errors.AddRange(labels.Select(LabelProblem).OfType<string>().Select(p => $"labels: {p}"));
        if (labels.Count > MaxLabels)
        {
            errors.Add($"labels: a worker has at most {MaxLabels} labels");
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var (value, tokenId, hash) = WorkerTokens.Create();
        var added = await workers.AddWorkerAsync(
            new NewWorker(name!, labels, tokenId, hash, time.GetUtcNow(), caller.User?.Name ?? caller.Actor), cancellationToken);
        if (added is null)
        {
            return Problems.Conflict($"there is a worker named {name} already");
        }

        var detail = labels.Count == 0 ? "no labels" : $"labels {string.Join(", ", labels)}";
        await audit.RecordAsync(caller, AuditActions.WorkerAdded, null, added.Name, AuditOutcomes.Ok, detail, cancellationToken);
        return Results.Created($"/api/v1/workers/{Uri.EscapeDataString(added.Name)}", new CreatedWorkerView(added.Name, added.Labels, value));
    }

    private static async Task<IResult> ListAsync(IWorkerStore workers, TimeProvider time, CancellationToken cancellationToken)
    {
        var all = await workers.ListWorkersAsync(cancellationToken);
        var now = time.GetUtcNow();
        return Results.Ok(all.Select(w => View(w, now)).ToList());
    }

    internal static async Task<IResult> SetPausedAsync(
        string name, bool paused, Caller caller, IWorkerStore workers, WorkerIdentities identities, AuditTrail audit, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!await workers.SetWorkerPausedAsync(name, paused, cancellationToken))
        {
            return Problems.NotFound($"there is no worker {name}");
        }

        identities.Forget();

        var action = paused ? AuditActions.WorkerPaused : AuditActions.WorkerResumed;
        await audit.RecordAsync(caller, action, null, name.ToLowerInvariant(), AuditOutcomes.Ok, null, cancellationToken);
        var listed = await workers.ListWorkersAsync(cancellationToken);
        return listed.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase)) is { } worker
            ? Results.Ok(View(worker, time.GetUtcNow()))
            : Problems.NotFound($"there is no worker {name}");
    }

    internal static async Task<IResult> RemoveAsync(
        string name, Caller caller, IWorkerStore workers, WorkerIdentities identities, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (!await workers.RemoveWorkerAsync(name, cancellationToken))
        {
            return Problems.NotFound($"there is no worker {name}");
        }

        identities.Forget();

        await audit.RecordAsync(caller, AuditActions.WorkerRemoved, null, name.ToLowerInvariant(), AuditOutcomes.Ok, null, cancellationToken);
        return Results.NoContent();
    }
}
