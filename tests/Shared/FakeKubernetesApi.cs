using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cairn.Testing;

/// <summary>
/// A stand-in for a Kubernetes API server on a loopback port, serving what Cairn's kubernetes executor uses: pods
/// (create, get, list, watch, delete, log with follow/timestamps/sinceSeconds/sinceTime), Secrets (create, get, list,
/// merge patch, delete) and events (list, watch), with JSON shaped as the API reference has it: Status objects for
/// errors, watch events as newline-delimited <c>{type, object}</c>, 410 Gone for a compacted resourceVersion. What a
/// created pod does is the test's script (<see cref="OnPodCreated"/>, driving a <see cref="FakePod"/>); a test can
/// refuse creates with a quota message, drop every watch or log stream, and compact the history. It writes a kubeconfig
/// (<see cref="KubeconfigPath"/>) that any client can use.
/// </summary>
public sealed partial class FakeKubernetesApi : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly FakeKubernetesHttp _http;
    private readonly TempDirectory _folder = new();
    private readonly Dictionary<string, FakePod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _secrets = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _events = [];
    private readonly List<(long Version, string Type, string Kind, JsonObject Object)> _history = [];
    private readonly List<string> _receivedPods = [];
    private readonly List<string> _requests = [];
    private readonly Queue<string> _podRefusals = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _watchDrop = new();
    private CancellationTokenSource _logDrop = new();
    private long _version = 100;
    private long _compactedBelow;

    public FakeKubernetesApi()
    {
        _http = new FakeKubernetesHttp(HandleAsync);
        KubeconfigPath = _folder.WriteFile("kubeconfig", $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: fake
              cluster:
                server: {_http.Address.ToString().TrimEnd('/')}
            contexts:
            - name: fake
              context:
                cluster: fake
                user: fake
                namespace: default
            current-context: fake
            users:
            - name: fake
              user:
                token: fake-token
            """);
    }

    /// <summary>The API's address, e.g. http://127.0.0.1:41234.</summary>
    public Uri Address => _http.Address;

    /// <summary>A kubeconfig whose one context points at this API with a bearer token.</summary>
    public string KubeconfigPath { get; }

    /// <summary>What a created pod does: the script runs once the pod exists (Pending, unscheduled, no statuses).</summary>
    public Func<FakePod, CancellationToken, Task>? OnPodCreated { get; set; }

    /// <summary>Every pod body the API was sent to create, exactly as received.</summary>
    public IReadOnlyList<string> ReceivedPods
    {
        get
        {
            lock (_gate)
            {
                return [.. _receivedPods];
            }
        }
    }

    /// <summary>"METHOD PATH" of every request, in order.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The pods that exist now, by "namespace/name".</summary>
    public IReadOnlyList<FakePod> Pods
    {
        get
        {
            lock (_gate)
            {
                return [.. _pods.Values];
            }
        }
    }

    /// <summary>Every pod ever created, in order (also those since deleted).</summary>
    public IReadOnlyList<FakePod> CreatedPods => AllPods;

    /// <summary>The Secrets that exist now, by "namespace/name".</summary>
    public IReadOnlyList<string> Secrets
    {
        get
        {
            lock (_gate)
            {
                return [.. _secrets.Keys];
            }
        }
    }

    private List<FakePod> AllPods { get; } = [];

    /// <summary>The next <paramref name="times"/> pod creates are refused with 403 and this quota message.</summary>
    public void RefusePodCreates(int times, string message)
    {
        lock (_gate)
        {
            for (var i = 0; i < times; i++)
            {
                _podRefusals.Enqueue(message);
            }
        }
    }

    /// <summary>Cuts every open watch stream (the client sees the stream end).</summary>
    public void DropWatches()
    {
        lock (_gate)
        {
            _watchDrop.Cancel();
            _watchDrop = new CancellationTokenSource();
        }
    }

    /// <summary>Cuts every open log stream.</summary>
    public void DropLogStreams()
    {
        lock (_gate)
        {
            _logDrop.Cancel();
            _logDrop = new CancellationTokenSource();
        }
    }

    /// <summary>Forgets the history: a watch from any version seen so far is answered 410 Gone.</summary>
    public void Compact()
    {
        lock (_gate)
        {
            _compactedBelow = _version + 1;
            _history.Clear();
        }
    }

    /// <summary>Makes a pod and Secret as another worker would have (for the janitor), running nothing.</summary>
    public FakePod Seed(string ns, string name, IReadOnlyDictionary<string, string> labels)
    {
        var meta = new JsonObject { ["name"] = name, ["namespace"] = ns, ["labels"] = Labels(labels) };
        Store("Secret", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Secret", ["metadata"] = meta.DeepClone() });
        return AddPod(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = meta, ["spec"] = new JsonObject() }, "{}");
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var pod in AllPods)
        {
            await pod.DisposeAsync();
        }

        await _http.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>The time format of the API and of timestamped logs (RFC 3339 with nanoseconds).</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00Z";

    internal void Changed(string kind, string type, JsonObject item)
    {
        TaskCompletionSource old;
        lock (_gate)
        {
            var version = ++_version;
            ((JsonObject)item["metadata"]!)["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
            _history.Add((version, type, kind, (JsonObject)item.DeepClone()));
            old = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        old.TrySetResult();
    }

    internal void AddEvent(FakePod pod, string reason, string message, string type = "Normal")
    {
        var item = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = $"{pod.Name}.{Guid.NewGuid():N}"[..40], ["namespace"] = pod.Namespace, ["uid"] = Guid.NewGuid().ToString() },
            ["involvedObject"] = new JsonObject { ["kind"] = "Pod", ["name"] = pod.Name, ["namespace"] = pod.Namespace, ["uid"] = pod.Uid },
            ["reason"] = reason,
            ["message"] = message,
            ["type"] = type,
            ["count"] = 1,
            ["lastTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        };
        lock (_gate)
        {
            _events.Add(item);
        }

        Changed("Event", "ADDED", item);
    }

    internal void RemovePod(FakePod pod)
    {
        lock (_gate)
        {
            if (!_pods.Remove(pod.Key))
            {
                return;
            }
        }

        Changed("Pod", "DELETED", pod.Snapshot());
        foreach (var (key, secret) in SecretsSnapshot())
        {
            var owners = secret["metadata"]?["ownerReferences"] as JsonArray;
            if (owners?.Any(o => (string?)o?["uid"] == pod.Uid) == true)
            {
                lock (_gate)
                {
                    _secrets.Remove(key);
                }

                Changed("Secret", "DELETED", secret);
            }
        }
    }

    internal JsonObject? Secret(string ns, string name)
    {
        lock (_gate)
        {
            return _secrets.TryGetValue(ns + "/" + name, out var secret) ? (JsonObject)secret.DeepClone() : null;
        }
    }

    private List<KeyValuePair<string, JsonObject>> SecretsSnapshot()
    {
        lock (_gate)
        {
            return [.. _secrets];
        }
    }

    private FakePod AddPod(JsonObject item, string body)
    {
        var meta = (JsonObject)item["metadata"]!;
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        item["status"] = new JsonObject { ["phase"] = "Pending" };
        var pod = new FakePod(this, item);
        lock (_gate)
        {
            _pods[pod.Key] = pod;
            _receivedPods.Add(body);
            AllPods.Add(pod);
        }

        Changed("Pod", "ADDED", item);
        return pod;
    }

    private JsonObject Store(string kind, JsonObject item)
    {
        var meta = (JsonObject)item["metadata"]!;
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        if (item["stringData"] is JsonObject strings)
        {
            var data = item["data"] as JsonObject ?? [];
            foreach (var (key, value) in strings)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes((string?)value ?? ""));
            }

            item.Remove("stringData");
            item["data"] = data;
        }

        lock (_gate)
        {
            _secrets[$"{meta["namespace"]}/{meta["name"]}"] = item;
        }

        Changed(kind, "ADDED", item);
        return item;
    }

    private static JsonObject Labels(IReadOnlyDictionary<string, string> labels)
    {
        var result = new JsonObject();
        foreach (var (key, value) in labels)
        {
            result[key] = value;
        }

        return result;
    }

    private static string Status(int code, string reason, string message) => new JsonObject
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    }.ToJsonString();

    private static string List(string kind, IEnumerable<JsonObject> items, long version) => new JsonObject
    {
        ["kind"] = kind,
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject { ["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture) },
        ["items"] = new JsonArray([.. items.Select(i => (JsonNode)i.DeepClone())]),
    }.ToJsonString();

    private static JsonObject Parse(string body) => JsonNode.Parse(body) as JsonObject ?? throw new JsonException("not an object");
}
