using System.Net.Http.Json;

namespace Cairn.Cli.Commands.Client;

/// <summary>The worker registry: the machines that run jobs over HTTP with a worker token (admins only).</summary>
internal sealed partial class ServerClient
{
    /// <summary>Adds a worker; the answer is the only one that carries its token.</summary>
    public Task<Answer<CreatedWorkerView>> AddWorkerAsync(AddWorkerRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "workers", JsonContent.Create(request, Json.AddWorkerRequest), Json.CreatedWorkerView, null, cancellationToken);

    public Task<Answer<List<WorkerView>>> ListWorkersAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "workers", null, Json.ListWorkerView, null, cancellationToken);

    /// <summary>Pauses (<paramref name="paused"/>) or resumes a worker; answers it as it is now.</summary>
    public Task<Answer<WorkerView>> SetWorkerPausedAsync(string name, bool paused, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, WorkerPath(name) + (paused ? "/pause" : "/resume"), null, Json.WorkerView, null, cancellationToken);

    public async Task RemoveWorkerAsync(string name, CancellationToken cancellationToken) =>
        await SendForTextAsync(HttpMethod.Delete, WorkerPath(name), null, null, cancellationToken);

    private static string WorkerPath(string name) => "workers/" + Uri.EscapeDataString(name);
}
