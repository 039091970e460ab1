using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Cairn.Cli.Commands.Client;

/// <summary>A Cairn server's HTTP API, typed: each call answers the decoded value with the JSON as sent, or throws
/// <see cref="ServerProblemException"/>, <see cref="ServerUnreachableException"/> or <see cref="ServerAnswerException"/>
/// with a sentence a person can act on.</summary>
internal sealed partial class ServerClient : IDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    private static readonly ClientJsonContext Json = ClientJsonContext.Default;

    private readonly HttpClient _http;

    public ServerClient(ServerConnection connection, HttpMessageHandler? handler = null)
    {
        Connection = connection;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { ConnectTimeout = ConnectTimeout }, disposeHandler: true)
        {
            BaseAddress = connection.Server,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("cairn");
        _http.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        if (connection.Token is { } token)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public ServerConnection Connection { get; }

    public Task<Answer<RepositoryView>> AddRepositoryAsync(AddRepositoryRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "repos", JsonContent.Create(request, Json.AddRepositoryRequest), Json.RepositoryView, null, cancellationToken);

    public Task<Answer<Page<RepositoryView>>> ListRepositoriesAsync(string? cursor, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "repos" + Query(("cursor", cursor)), null, Json.PageRepositoryView, null, cancellationToken);

    public Task<Answer<RepositoryView>> GetRepositoryAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, RepositoryPath(name), null, Json.RepositoryView, null, cancellationToken);

    /// <summary>Changes the settings <paramref name="request"/> gives; answers the repository as changed.</summary>
    public Task<Answer<RepositoryView>> ChangeRepositoryAsync(string name, ChangeRepositoryRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, RepositoryPath(name), JsonContent.Create(request, Json.ChangeRepositoryRequest), Json.RepositoryView, null, cancellationToken);

    public async Task RemoveRepositoryAsync(string name, CancellationToken cancellationToken) =>
        await SendForTextAsync(HttpMethod.Delete, RepositoryPath(name), null, null, cancellationToken);

    /// <summary>Starts a manual run; with the same <paramref name="idempotencyKey"/> again, answers the same run.</summary>
    public Task<Answer<RunView>> TriggerAsync(string repository, TriggerRequest request, string? idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, RepositoryPath(repository) + "/runs", JsonContent.Create(request, Json.TriggerRequest), Json.RunView, idempotencyKey, cancellationToken);

    public Task<Answer<Page<RunView>>> ListRunsAsync(
        string? repository, string? status, string? branch, string? cursor, int? limit, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Get,
            "runs" + Query(("repo", repository), ("status", status), ("branch", branch), ("cursor", cursor), ("limit", Number(limit))),
            null, Json.PageRunView, null, cancellationToken);

    public Task<Answer<RunView>> GetRunAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, RunPath(id), null, Json.RunView, null, cancellationToken);

    public Task<Answer<RunView>> CancelRunAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, RunPath(id) + "/cancel", null, Json.RunView, null, cancellationToken);

    /// <summary>Starts a run that waits for approval (a pull request from a fork).</summary>
    public Task<Answer<RunView>> ApproveRunAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, RunPath(id) + "/approve", null, Json.RunView, null, cancellationToken);

    /// <summary>Ends a run that waits for approval as cancelled, with <paramref name="reason"/> when given.</summary>
    public Task<Answer<RunView>> RejectRunAsync(long id, string? reason, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, RunPath(id) + "/reject", JsonContent.Create(new RejectRequest(reason), Json.RejectRequest), Json.RunView, null, cancellationToken);

    /// <summary>A new run of the same commit: every job, or (<paramref name="failedOnly"/>) those that did not succeed.</summary>
    public Task<Answer<RunView>> RerunAsync(long id, bool failedOnly, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, RunPath(id) + (failedOnly ? "/rerun-failed" : "/rerun"), null, Json.RunView, null, cancellationToken);

    public Task<string> GetJobLogAsync(long runId, long jobId, CancellationToken cancellationToken) =>
        SendForTextAsync(HttpMethod.Get, $"{RunPath(runId)}/jobs/{Number(jobId)}/log", null, null, cancellationToken);

    /// <summary>Opens a job's live log (Server-Sent Events), resuming after line <paramref name="afterSequence"/> when
    /// given. Throws as every call does when the server refuses or cannot be reached.</summary>
    public Task<EventStream> OpenLogStreamAsync(long runId, long jobId, long? afterSequence, CancellationToken cancellationToken) =>
        OpenStreamAsync($"{RunPath(runId)}/jobs/{Number(jobId)}/log/stream", Number(afterSequence), cancellationToken);

    public Task<Answer<Page<EventView>>> ListEventsAsync(string? repository, string? cursor, int? limit, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Get, "events" + Query(("repo", repository), ("cursor", cursor), ("limit", Number(limit))),
            null, Json.PageEventView, null, cancellationToken);

    /// <summary>Sets a secret of <paramref name="repository"/>, or a global one when it is null; answers whether it was
    /// created (rather than replaced) with the server's view of it.</summary>
    public async Task<(Answer<SecretView> Answer, bool Created)> SetSecretAsync(
        string? repository, string name, string value, CancellationToken cancellationToken)
    {
        var path = SecretPath(repository, name);
        var (status, text) = await SendForStatusAsync(HttpMethod.Put, path, JsonContent.Create(new SecretRequest(value), Json.SecretRequest), null, cancellationToken);
        return (Decode(HttpMethod.Put, path, text, Json.SecretView), status == HttpStatusCode.Created);
    }

    public async Task RemoveSecretAsync(string? repository, string name, CancellationToken cancellationToken) =>
        await SendForTextAsync(HttpMethod.Delete, SecretPath(repository, name), null, null, cancellationToken);

    /// <summary>The names of <paramref name="repository"/>'s secrets, or of the global ones when it is null.</summary>
    public Task<Answer<Page<SecretView>>> ListSecretsAsync(string? repository, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, repository is null ? "secrets" : RepositoryPath(repository) + "/secrets", null, Json.PageSecretView, null, cancellationToken);

    /// <summary>The audit log, newest first, filtered by what is given (an actor, an action, a repository).</summary>
    public Task<Answer<Page<AuditView>>> ListAuditAsync(
        string? cursor, int? limit, CancellationToken cancellationToken, string? actor = null, string? action = null, string? repository = null) =>
        SendAsync(
            HttpMethod.Get,
            "audit" + Query(("actor", actor), ("action", action), ("repo", repository), ("cursor", cursor), ("limit", Number(limit))),
            null,
            Json.PageAuditView,
            null,
            cancellationToken);

    public void Dispose() => _http.Dispose();

    private static string SecretPath(string? repository, string name) =>
        (repository is null ? "secrets/" : RepositoryPath(repository) + "/secrets/") + Uri.EscapeDataString(name);

    // Each part escaped on its own: a GitLab project's subgroups stay path segments.
    private static string RepositoryPath(string name) => "repos/" + string.Join('/', name.Split('/').Select(Uri.EscapeDataString));

    private static string RunPath(long id) => $"runs/{Number(id)}";

    private static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    private async Task<Answer<T>> SendAsync<T>(
        HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, string? idempotencyKey, CancellationToken cancellationToken) =>
        Decode(method, path, await SendForTextAsync(method, path, content, idempotencyKey, cancellationToken), type);

    private Answer<T> Decode<T>(HttpMethod method, string path, string text, JsonTypeInfo<T> type)
    {
        try
        {
            var value = JsonSerializer.Deserialize(text, type) ?? throw new JsonException("the answer is null");
            return new Answer<T>(value, text);
        }
        catch (JsonException ex)
        {
            throw new ServerAnswerException(
                $"the server at {Connection.Display} answered {method} /api/v1/{path} with JSON this cairn does not understand: {ex.Message}");
        }
    }

    private async Task<string> SendForTextAsync(
        HttpMethod method, string path, HttpContent? content, string? idempotencyKey, CancellationToken cancellationToken) =>
        (await SendForStatusAsync(method, path, content, idempotencyKey, cancellationToken)).Body;

    private async Task<(HttpStatusCode Status, string Body)> SendForStatusAsync(
        HttpMethod method, string path, HttpContent? content, string? idempotencyKey, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, "api/v1/" + path) { Content = content };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return response.IsSuccessStatusCode ? (response.StatusCode, body) : throw Problem(method, path, response, body);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnreachableException(Connection.Display, $"it did not answer within {AnswerTimeout.TotalSeconds:0}s");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new ServerUnreachableException(Connection.Display, Reason(ex));
        }
    }

    private async Task<EventStream> OpenStreamAsync(string path, string? lastEventId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/" + path);
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        HttpResponseMessage? response = null;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadAsStringAsync(timeout.Token);
                throw Problem(HttpMethod.Get, path, response, body);
            }

            if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
            {
                throw new ServerAnswerException(
                    $"the server at {Connection.Display} answered GET /api/v1/{path} with {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, not an event stream; is it a Cairn server of this version?");
            }

            var stream = new EventStream(response, await response.Content.ReadAsStreamAsync(cancellationToken));
            response = null;
            return stream;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnreachableException(Connection.Display, $"it did not answer within {AnswerTimeout.TotalSeconds:0}s");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new ServerUnreachableException(Connection.Display, Reason(ex));
        }
        finally
        {
            response?.Dispose();
        }
    }

    // The innermost message is the one a person recognises: "Connection refused", "Name or service not known".
    private static string Reason(Exception ex)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.Message;
            }
        }

        return ex.InnerException is { Message.Length: > 0 } cause ? cause.Message : ex.Message;
    }

    private ServerProblemException Problem(HttpMethod method, string path, HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (ReadProblem(body) is { } problem)
        {
            return new ServerProblemException(status, problem.Detail, problem.Errors);
        }

        // Not a Cairn answer: a proxy's page, another service on the port, a route this server does not have.
        var reason = response.ReasonPhrase is { Length: > 0 } phrase ? $" {phrase}" : "";
        var kind = response.Content.Headers.ContentType?.MediaType is { } media ? $" ({media})" : "";
        var hint = response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed ? "; is it a Cairn server of this version?" : "";
        return new ServerProblemException(
            status, $"the server at {Connection.Display} answered {method} /api/v1/{path} with {status}{reason}{kind}{hint}", []);
    }

    /// <summary>The detail and errors of a problem document; null when <paramref name="body"/> is not one. Errors may
    /// be a list of sentences or, as ASP.NET's validation problems have it, field names with lists of sentences.</summary>
    private static (string Detail, IReadOnlyList<string> Errors)? ReadProblem(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var detail = Text(root, "detail") ?? Text(root, "title");
            var errors = new List<string>();
            if (root.TryGetProperty("errors", out var list))
            {
                if (list.ValueKind == JsonValueKind.Array)
                {
                    errors.AddRange(list.EnumerateArray().Select(Sentence));
                }
                else if (list.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in list.EnumerateObject())
                    {
                        errors.AddRange(field.Value.ValueKind == JsonValueKind.Array
                            ? field.Value.EnumerateArray().Select(e => $"{field.Name}: {Sentence(e)}")
                            : [$"{field.Name}: {Sentence(field.Value)}"]);
                    }
                }
            }

            return detail is null && errors.Count == 0 ? null : (detail ?? "", errors);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static string Sentence(JsonElement element) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
}
