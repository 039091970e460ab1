using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Cairn.Executors.Container;

/// <summary>The answer to a ping: reachable, or why not, in words fit for a user.</summary>
public sealed record EngineReachability(bool IsReachable, string? Problem);

/// <summary>A small typed client for the Docker Engine API (which Podman's service also serves), over a unix socket
/// or TCP, pinned to API version 1.41.</summary>
public sealed class DockerEngineClient : IDisposable
{
    internal const string ApiVersion = "v1.41";

    private readonly HttpClient _http;

    public DockerEngineClient(DockerEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        var handler = new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
        if (endpoint.SocketPath is { } path)
        {
            handler.ConnectCallback = (_, cancellationToken) => ConnectUnixAsync(path, cancellationToken);
        }

        // Step output streams for as long as a step runs: every call is bounded by its own token instead.
        _http = new HttpClient(handler) { BaseAddress = endpoint.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    public DockerEndpoint Endpoint { get; }

    /// <summary>Whether an engine answers at <see cref="Endpoint"/>; never throws for an engine that is not there.</summary>
    public async Task<EngineReachability> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Get, "/_ping", null, cancellationToken);
            return new EngineReachability(true, null);
        }
        catch (ContainerEngineException error)
        {
            return new EngineReachability(false, error.Message);
        }
    }

    /// <summary>The id of the local image <paramref name="image"/> names, or null when the engine has no such image.</summary>
    internal async Task<string?> ImageIdAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            return (await GetAsync($"/{ApiVersion}/images/{image}/json", EngineJson.Default.ImageInspectResponse, cancellationToken)).Id;
        }
        catch (ContainerEngineException error) when (error.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Pulls an image; throws with the engine's message when the pull fails, which the engine may only say
    /// inside a successful response's progress stream.</summary>
    internal async Task PullImageAsync(string image, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, PullPath(image), null, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), Encoding.UTF8);
        string? failure = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0 && JsonSerializer.Deserialize(line, EngineJson.Default.PullProgress) is { } progress)
            {
                failure ??= progress.ErrorDetail?.Message ?? progress.Error;
            }
        }

        if (failure is not null)
        {
            throw new ContainerEngineException(null, failure);
        }
    }

    internal async Task<string> CreateContainerAsync(string name, ContainerCreateRequest request, CancellationToken cancellationToken) =>
        (await SendAsync($"/{ApiVersion}/containers/create?name={Uri.EscapeDataString(name)}", request, EngineJson.Default.ContainerCreateRequest,
            EngineJson.Default.CreatedResponse, cancellationToken)).Id;

    internal async Task StartContainerAsync(string id, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/{ApiVersion}/containers/{id}/start", null, cancellationToken);
    }

    /// <summary>Sends SIGKILL; a container that is already gone or stopped is not an error.</summary>
    internal async Task KillContainerAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Post, $"/{ApiVersion}/containers/{id}/kill?signal=SIGKILL", null, cancellationToken);
        }
        catch (ContainerEngineException error) when (error.Status is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
        }
    }

    /// <summary>Freezes every process in a container (the cgroup freezer: no signal, nothing to handle); a container
    /// that is gone, stopped or already paused is not an error, since nothing in it runs either.</summary>
    internal async Task PauseContainerAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Post, $"/{ApiVersion}/containers/{id}/pause", null, cancellationToken);
        }
        catch (ContainerEngineException error) when (error.Status is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
        }
    }

    /// <summary>Removes a container, running or not, with its anonymous volumes; one already gone is not an error.</summary>
    internal async Task RemoveContainerAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Delete, $"/{ApiVersion}/containers/{id}?force=true&v=true", null, cancellationToken);
        }
        catch (ContainerEngineException error) when (error.Status == HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>Whether a path exists in a container's filesystem, asked without starting a process in it.</summary>
    internal async Task<bool> PathExistsAsync(string containerId, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Head, $"/{ApiVersion}/containers/{containerId}/archive?path={Uri.EscapeDataString(path)}", null, cancellationToken);
            return true;
        }
        catch (ContainerEngineException error) when (error.Status == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Extracts a tar into folder <paramref name="path"/> of a container (which must exist), streaming it.</summary>
    internal async Task PutArchiveAsync(string containerId, string path, HttpContent tar, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Put, ArchivePath(containerId, path), tar, cancellationToken);
    }

    /// <summary>A tar of <paramref name="path"/> in a container, its entries named from the path's last component, as the
    /// response to read it from; null when there is no such path.</summary>
    internal async Task<HttpResponseMessage?> GetArchiveAsync(string containerId, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await SendAsync(HttpMethod.Get, ArchivePath(containerId, path), null, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        }
        catch (ContainerEngineException error) when (error.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>What <paramref name="path"/> in a container is, without following a symbolic link at its end (the
    /// engine's stat header on a HEAD of the archive); null when there is no such path.</summary>
    internal async Task<ContainerPathStat?> StatPathAsync(string containerId, string path, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Head, ArchivePath(containerId, path), null, cancellationToken);
            return response.Headers.TryGetValues("X-Docker-Container-Path-Stat", out var values) && values.FirstOrDefault() is { } header
                ? JsonSerializer.Deserialize(Convert.FromBase64String(header), EngineJson.Default.ContainerPathStat)
                : null;
        }
        catch (ContainerEngineException error) when (error.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    internal Task<ContainerInspectResponse> InspectContainerAsync(string id, CancellationToken cancellationToken) =>
        GetAsync($"/{ApiVersion}/containers/{id}/json", EngineJson.Default.ContainerInspectResponse, cancellationToken);

    /// <summary>Every container, running or not, carrying label <paramref name="label"/> (<c>key</c> or <c>key=value</c>).</summary>
    internal async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(string label, CancellationToken cancellationToken) =>
        await GetAsync($"/{ApiVersion}/containers/json?all=true&filters={LabelFilter(label)}", EngineJson.Default.ListContainerSummary, cancellationToken);

    internal async Task<string> CreateExecAsync(string containerId, ExecCreateRequest request, CancellationToken cancellationToken) =>
        (await SendAsync($"/{ApiVersion}/containers/{containerId}/exec", request, EngineJson.Default.ExecCreateRequest,
            EngineJson.Default.CreatedResponse, cancellationToken)).Id;

    /// <summary>Starts an exec attached: the response body is its multiplexed stdout and stderr until it ends.</summary>
    internal Task<HttpResponseMessage> StartExecAsync(string execId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"/{ApiVersion}/exec/{execId}/start", Json(new ExecStartRequest(), EngineJson.Default.ExecStartRequest),
            cancellationToken, HttpCompletionOption.ResponseHeadersRead);

    internal Task<ExecInspectResponse> InspectExecAsync(string execId, CancellationToken cancellationToken) =>
        GetAsync($"/{ApiVersion}/exec/{execId}/json", EngineJson.Default.ExecInspectResponse, cancellationToken);

    internal async Task<string> CreateNetworkAsync(NetworkCreateRequest request, CancellationToken cancellationToken) =>
        (await SendAsync($"/{ApiVersion}/networks/create", request, EngineJson.Default.NetworkCreateRequest,
            EngineJson.Default.CreatedResponse, cancellationToken)).Id;

    internal async Task RemoveNetworkAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Delete, $"/{ApiVersion}/networks/{id}", null, cancellationToken);
        }
        catch (ContainerEngineException error) when (error.Status == HttpStatusCode.NotFound)
        {
        }
    }

    internal async Task<IReadOnlyList<NetworkSummary>> ListNetworksAsync(string label, CancellationToken cancellationToken) =>
        await GetAsync($"/{ApiVersion}/networks?filters={LabelFilter(label)}", EngineJson.Default.ListNetworkSummary, cancellationToken);

    public void Dispose() => _http.Dispose();

    /// <summary>The pull path for an image reference; a reference with neither tag nor digest means <c>:latest</c>,
    /// since an empty tag would ask the engine for every tag.</summary>
    internal static string PullPath(string image) =>
        $"/{ApiVersion}/images/create?fromImage={Uri.EscapeDataString(ImageReference.WithDefaultTag(image))}";

    private static string ArchivePath(string containerId, string path) =>
        $"/{ApiVersion}/containers/{containerId}/archive?path={Uri.EscapeDataString(path)}";

    internal static string LabelFilter(string label) =>
        Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [label] }, EngineJson.Default.DictionaryStringStringArray));

    private async Task<TResponse> GetAsync<TResponse>(string path, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, cancellationToken);
        return await ReadAsync(response, responseType, cancellationToken);
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(
        string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Post, path, Json(body, requestType), cancellationToken);
        return await ReadAsync(response, responseType, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync(type, cancellationToken)
            ?? throw new ContainerEngineException(response.StatusCode, $"the engine sent an empty answer to {response.RequestMessage?.RequestUri?.AbsolutePath}");

    private static ByteArrayContent Json<T>(T body, JsonTypeInfo<T> type)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>Sends a request; an answer outside 2xx becomes a <see cref="ContainerEngineException"/> carrying the
    /// engine's message, and no answer at all an <see cref="EngineUnreachableException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException error) when (error.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw new EngineUnreachableException(Endpoint, Innermost(error).Message, error);
        }
        catch (HttpRequestException error)
        {
            throw new ContainerEngineException(null, $"the container engine at {Endpoint.Address} failed: {Innermost(error).Message}", error);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new ContainerEngineException(response.StatusCode, EngineMessage(text) ?? $"{(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    private static string? EngineMessage(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, EngineJson.Default.EngineError)?.Message;
        }
        catch (JsonException)
        {
            return text.Trim() is { Length: > 0 } plain ? plain : null;
        }
    }

    private static Exception Innermost(Exception error)
    {
        while (error.InnerException is { } inner)
        {
            error = inner;
        }

        return error;
    }

    private static async ValueTask<Stream> ConnectUnixAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
