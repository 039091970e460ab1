using System.Globalization;
using System.Text.Json.Nodes;

namespace Cairn.Testing;

public sealed partial class FakeKubernetesApi
{
    private async Task HandleAsync(FakeKubernetesRequest request, FakeKubernetesResponse response, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _requests.Add($"{request.Method} {request.Path}");
        }

        if (request.Path.TrimEnd('/') == "/version")
        {
            await response.SendAsync(200, """{"major":"1","minor":"31","gitVersion":"v1.31.0-fake","platform":"linux/amd64"}""", cancellationToken);
            return;
        }

        var parts = request.Path.Trim('/').Split('/');
        if (parts.Length < 5 || parts[0] != "api" || parts[1] != "v1" || parts[2] != "namespaces")
        {
            await response.SendAsync(404, Status(404, "NotFound", "the server could not find the requested resource"), cancellationToken);
            return;
        }

        var ns = parts[3];
        var resource = parts[4];
        var name = parts.Length > 5 ? parts[5] : null;
        var sub = parts.Length > 6 ? parts[6] : null;
        var (status, body) = (resource, name, sub, request.Method) switch
        {
            ("pods", null, _, "POST") => CreatePod(ns, request.Body),
            ("pods", null, _, "GET") when request["watch"] is "true" or "1" => (0, ""),
            ("pods", null, _, "GET") => ListPods(ns, request),
            ("pods", { } n, "log", "GET") => (0, ""),
            ("pods", { } n, "exec", "GET" or "POST") => (0, ""),
            ("pods", { } n, null, "GET") => GetPod(ns, n),
            ("pods", { } n, null, "DELETE") => DeletePod(ns, n, request.Body),
            ("secrets", null, _, "POST") => CreateSecret(ns, request.Body),
            ("secrets", null, _, "GET") => ListSecrets(ns, request),
            ("secrets", { } n, null, "GET") => Secret(ns, n) is { } s ? (200, s.ToJsonString()) : NotFound("secrets", n),
            ("secrets", { } n, null, "PATCH") => PatchSecret(ns, n, request.Body),
            ("secrets", { } n, null, "DELETE") => DeleteSecret(ns, n),
            ("events", null, _, "GET") when request["watch"] is "true" or "1" => (0, ""),
            ("events", null, _, "GET") => ListEvents(ns, request),
            _ => (405, Status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")),
        };

        if (status != 0)
        {
            await response.SendAsync(status, body, cancellationToken);
        }
        else if (sub == "log")
        {
            await LogAsync(ns, name!, request, response, cancellationToken);
        }
        else if (sub == "exec")
        {
            await ExecAsync(ns, name!, request, response, cancellationToken);
        }
        else
        {
            await WatchAsync(resource == "pods" ? "Pod" : "Event", ns, request, response, cancellationToken);
        }
    }

    private (int, string) CreatePod(string ns, string body)
    {
        var item = Parse(body);
        var meta = (JsonObject)item["metadata"]!;
        meta["namespace"] = ns;
        var name = (string)meta["name"]!;
        lock (_gate)
        {
            if (_podRefusals.TryDequeue(out var refusal))
            {
                _receivedPods.Add(body);
                return (403, Status(403, "Forbidden", $"pods \"{name}\" is forbidden: {refusal}"));
            }

            if (_pods.ContainsKey(ns + "/" + name))
            {
                return (409, Status(409, "AlreadyExists", $"pods \"{name}\" already exists"));
            }
        }

        var pod = AddPod(item, body);
        pod.StartScript(OnPodCreated);
        return (201, pod.Snapshot().ToJsonString());
    }

    private (int, string) GetPod(string ns, string name)
    {
        lock (_gate)
        {
            return _pods.TryGetValue(ns + "/" + name, out var pod) ? (200, pod.Snapshot().ToJsonString()) : NotFound("pods", name);
        }
    }

    private (int, string) ListPods(string ns, FakeKubernetesRequest request)
    {
        lock (_gate)
        {
            var items = _pods.Values.Select(p => p.Snapshot()).Where(p => Matches(p, ns, request));
            return (200, List("PodList", items, _version));
        }
    }

    private (int, string) DeletePod(string ns, string name, string body)
    {
        FakePod? pod;
        lock (_gate)
        {
            _pods.TryGetValue(ns + "/" + name, out pod);
        }

        if (pod is null)
        {
            return NotFound("pods", name);
        }

        var grace = body.Length > 0 && Parse(body)["gracePeriodSeconds"] is { } g ? (long)g : 30;
        pod.Delete(grace);
        return (200, pod.Snapshot().ToJsonString());
    }

    private (int, string) CreateSecret(string ns, string body)
    {
        var item = Parse(body);
        var meta = (JsonObject)item["metadata"]!;
        meta["namespace"] = ns;
        if (Secret(ns, (string)meta["name"]!) is not null)
        {
            return (409, Status(409, "AlreadyExists", $"secrets \"{meta["name"]}\" already exists"));
        }

        return (201, Store("Secret", item).ToJsonString());
    }

    private (int, string) ListSecrets(string ns, FakeKubernetesRequest request)
    {
        lock (_gate)
        {
            return (200, List("SecretList", _secrets.Values.Where(s => Matches(s, ns, request)), _version));
        }
    }

    private (int, string) PatchSecret(string ns, string name, string body)
    {
        JsonObject? secret;
        lock (_gate)
        {
            _secrets.TryGetValue(ns + "/" + name, out secret);
            if (secret is not null)
            {
                Merge(secret, Parse(body));
            }
        }

        if (secret is null)
        {
            return NotFound("secrets", name);
        }

        Changed("Secret", "MODIFIED", secret);
        return (200, secret.ToJsonString());
    }

    private (int, string) DeleteSecret(string ns, string name)
    {
        JsonObject? secret;
        lock (_gate)
        {
            _secrets.Remove(ns + "/" + name, out secret);
        }

        if (secret is null)
        {
            return NotFound("secrets", name);
        }

        Changed("Secret", "DELETED", secret);
        return (200, Status(200, "", "deleted").Replace("\"Failure\"", "\"Success\"", StringComparison.Ordinal));
    }

    private (int, string) ListEvents(string ns, FakeKubernetesRequest request)
    {
        lock (_gate)
        {
            return (200, List("EventList", _events.Where(e => Matches(e, ns, request)), _version));
        }
    }

    private async Task WatchAsync(string kind, string ns, FakeKubernetesRequest request, FakeKubernetesResponse response, CancellationToken cancellationToken)
    {
        long from;
        CancellationToken drop;
        lock (_gate)
        {
            from = long.TryParse(request["resourceVersion"], CultureInfo.InvariantCulture, out var asked) ? asked : _version;
            drop = _watchDrop.Token;
            if (request["resourceVersion"] is { Length: > 0 } && from < _compactedBelow - 1)
            {
                from = -1;
            }
        }

        await response.StartStreamAsync("application/json", cancellationToken);
        if (from < 0)
        {
            var gone = new JsonObject { ["type"] = "ERROR", ["object"] = JsonNode.Parse(Status(410, "Expired", "too old resource version")) };
            await response.WriteAsync(gone.ToJsonString() + "\n", cancellationToken);
            return;
        }

        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, drop);
        try
        {
            while (true)
            {
                Task changed;
                List<(long Version, string Type, string Kind, JsonObject Object)> news;
                lock (_gate)
                {
                    news = [.. _history.Where(h => h.Version > from && h.Kind == kind && Matches(h.Object, ns, request))];
                    from = Math.Max(from, _version);
                    changed = _changed.Task;
                }

                foreach (var (_, type, _, item) in news)
                {
                    await response.WriteAsync(new JsonObject { ["type"] = type, ["object"] = item.DeepClone() }.ToJsonString() + "\n", both.Token);
                }

                await changed.WaitAsync(both.Token);
            }
        }
        catch (OperationCanceledException) when (drop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task LogAsync(string ns, string name, FakeKubernetesRequest request, FakeKubernetesResponse response, CancellationToken cancellationToken)
    {
        FakePod? pod;
        CancellationToken drop;
        lock (_gate)
        {
            _pods.TryGetValue(ns + "/" + name, out pod);
            drop = _logDrop.Token;
        }

        if (pod is null)
        {
            await response.SendAsync(404, NotFound("pods", name).Item2, cancellationToken);
            return;
        }

        DateTimeOffset? since = request["sinceTime"] is { } time ? DateTimeOffset.Parse(time, CultureInfo.InvariantCulture)
            : request["sinceSeconds"] is { } seconds ? DateTimeOffset.UtcNow.AddSeconds(-int.Parse(seconds, CultureInfo.InvariantCulture)) : null;
        var stamps = request["timestamps"] is "true" or "1";
        var follow = request["follow"] is "true" or "1";
        var container = request["container"] ?? "job";
        await response.StartStreamAsync("text/plain", cancellationToken);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, drop);
        var at = 0;
        try
        {
            while (true)
            {
                var (lines, ended, changed) = pod.LogFrom(container, at);
                foreach (var line in lines)
                {
                    at++;
                    if (since is { } s && line.At < s)
                    {
                        continue;
                    }

                    await response.WriteAsync((stamps ? Time(line.At) + " " : "") + line.Text + "\n", both.Token);
                }

                if (!follow || ended)
                {
                    return;
                }

                await changed.WaitAsync(both.Token);
            }
        }
        catch (OperationCanceledException) when (drop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static bool Matches(JsonObject item, string ns, FakeKubernetesRequest request)
    {
        if ((string?)item["metadata"]?["namespace"] != ns)
        {
            return false;
        }

        foreach (var term in (request["fieldSelector"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (path, value) = (term[..term.IndexOf('=', StringComparison.Ordinal)], term[(term.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            JsonNode? node = item;
            foreach (var step in path.Split('.'))
            {
                node = node?[step];
            }

            if ((string?)node != value)
            {
                return false;
            }
        }

        var labels = item["metadata"]?["labels"] as JsonObject;
        foreach (var term in (request["labelSelector"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = term.IndexOf('=', StringComparison.Ordinal);
            var ok = equals < 0 ? labels?.ContainsKey(term) == true : (string?)labels?[term[..equals]] == term[(equals + 1)..];
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static void Merge(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject inner && target[key] is JsonObject existing)
            {
                Merge(existing, inner);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static (int, string) NotFound(string resource, string name) => (404, Status(404, "NotFound", $"{resource} \"{name}\" not found"));
}
