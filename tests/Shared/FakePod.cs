using System.Text;
using System.Text.Json.Nodes;

namespace Cairn.Testing;

/// <summary>One pod in the <see cref="FakeKubernetesApi"/>, as a test's script drives it: scheduling, container states,
/// events, log lines, termination. Every change is a new resourceVersion that watches see.</summary>
public sealed class FakePod : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly FakeKubernetesApi _api;
    private readonly JsonObject _item;
    private readonly Dictionary<string, List<(DateTimeOffset At, string Text)>> _logs = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ended = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _logChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<long> _deleted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _script = Task.CompletedTask;

    internal FakePod(FakeKubernetesApi api, JsonObject item)
    {
        _api = api;
        _item = item;
        Name = (string)item["metadata"]!["name"]!;
        Namespace = (string)item["metadata"]!["namespace"]!;
        Uid = (string)item["metadata"]!["uid"]!;
    }

    public string Name { get; }

    public string Namespace { get; }

    public string Uid { get; }

    internal string Key => Namespace + "/" + Name;

    /// <summary>Completes with the grace period (seconds) of the first delete the API was asked for.</summary>
    public Task<long> Deleted => _deleted.Task;

    /// <summary>What a graceful delete does while the job container runs (SIGTERM to a real supervisor, a scripted
    /// <c>term</c> marker…) before the pod ends with 143 and is removed; null: it just ends.</summary>
    public Func<FakePod, Task>? OnDelete { get; set; }

    /// <summary>How a command of pods/exec runs on this host (the pod's paths mapped, as <see cref="FakePodProcess"/>
    /// does); null: the job container does not run, and exec is refused.</summary>
    public Func<IReadOnlyList<string>, System.Diagnostics.ProcessStartInfo>? ExecStart { get; set; }

    /// <summary>Every command run through pods/exec, in order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Execs
    {
        get
        {
            lock (_gate)
            {
                return [.. _execs];
            }
        }
    }

    private readonly List<IReadOnlyList<string>> _execs = [];

    internal void Executed(IReadOnlyList<string> command)
    {
        lock (_gate)
        {
            _execs.Add(command);
        }
    }

    /// <summary>The image of a container of the pod's spec.</summary>
    public string Image(string container) =>
        (string?)Containers().FirstOrDefault(c => (string?)c["name"] == container)?["image"] ?? "";

    /// <summary>The pod as the API would return it now.</summary>
    public JsonObject Snapshot()
    {
        lock (_gate)
        {
            return (JsonObject)_item.DeepClone();
        }
    }

    /// <summary>A value of the pod's Secret (its <c>data</c>, decoded), or null.</summary>
    public string? SecretValue(string key) =>
        _api.Secret(Namespace, Name)?["data"]?[key] is { } value ? Encoding.UTF8.GetString(Convert.FromBase64String((string)value!)) : null;

    /// <summary>A supervisor marker of this pod's nonce: <c>Marker("end:0:0")</c>.</summary>
    public string Marker(string verb) => $"##cairn:{SecretValue("nonce")}:{verb}";

    public void Unschedulable(string message) => Update(status =>
    {
        status["phase"] = "Pending";
        status["conditions"] = new JsonArray(Condition("PodScheduled", "False", "Unschedulable", message));
    });

    public void Scheduled() => Update(status => status["conditions"] = new JsonArray(Condition("PodScheduled", "True", null, null)));

    /// <summary>Container <paramref name="container"/> waits (ContainerCreating, ErrImagePull, ImagePullBackOff…).</summary>
    public void Waiting(string container, string reason, string? message = null) =>
        SetState(container, new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } });

    /// <summary>The job container (or another) runs; the pod is Running.</summary>
    public void Running(string container = "job")
    {
        SetState(container, new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Now() } });
        Update(status => status["phase"] = "Running");
    }

    /// <summary>A container ends; for the job container the pod ends too and its log is complete.</summary>
    public void Terminated(string container, int exitCode, string? reason = null, string? message = null)
    {
        SetState(container, new JsonObject
        {
            ["terminated"] = new JsonObject { ["exitCode"] = exitCode, ["reason"] = reason ?? (exitCode == 0 ? "Completed" : "Error"), ["message"] = message, ["finishedAt"] = Now() },
        });
        EndLog(container);
        if (container == "job")
        {
            Update(status => status["phase"] = exitCode == 0 ? "Succeeded" : "Failed");
        }
    }

    public void Event(string reason, string message, string type = "Normal") => _api.AddEvent(this, reason, message, type);

    /// <summary>A line of a container's log, stamped <paramref name="at"/> (now by default).</summary>
    public void Log(string text, DateTimeOffset? at = null, string container = "job")
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (!_logs.TryGetValue(container, out var lines))
            {
                _logs[container] = lines = [];
            }

            lines.Add((at ?? DateTimeOffset.UtcNow, text));
            changed = _logChanged;
            _logChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    /// <summary>Every line of a container's log so far.</summary>
    public IReadOnlyList<string> LogLines(string container = "job")
    {
        lock (_gate)
        {
            return _logs.TryGetValue(container, out var lines) ? [.. lines.Select(l => l.Text)] : [];
        }
    }

    public void EndLog(string container = "job")
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _ended.Add(container);
            changed = _logChanged;
            _logChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _script;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    internal void StartScript(Func<FakePod, CancellationToken, Task>? script)
    {
        if (script is not null)
        {
            _script = Task.Run(() => script(this, _stop.Token));
        }
    }

    internal (List<(DateTimeOffset At, string Text)> Lines, bool Ended, Task Changed) LogFrom(string container, int index)
    {
        lock (_gate)
        {
            var lines = _logs.TryGetValue(container, out var all) ? all.Skip(index).ToList() : [];
            return (lines, _ended.Contains(container), _logChanged.Task);
        }
    }

    internal void Delete(long grace)
    {
        var first = _deleted.TrySetResult(grace);
        var running = Snapshot()["status"]?["containerStatuses"] is JsonArray statuses
            && statuses.Any(s => (string?)s?["name"] == "job" && s?["state"]?["running"] is not null);
        if (!first)
        {
            if (grace == 0)
            {
                Finish();
            }

            return;
        }

        if (!running || grace == 0)
        {
            Finish();
            return;
        }

        lock (_gate)
        {
            ((JsonObject)_item["metadata"]!)["deletionTimestamp"] = Now();
            ((JsonObject)_item["metadata"]!)["deletionGracePeriodSeconds"] = grace;
        }

        _api.Changed("Pod", "MODIFIED", Snapshot());
        _ = Task.Run(async () =>
        {
            if (OnDelete is { } onDelete)
            {
                await onDelete(this);
            }

            Finish();
        });
    }

    private void Finish()
    {
        var state = Snapshot()["status"]?["containerStatuses"] as JsonArray;
        if (state?.Any(s => (string?)s?["name"] == "job" && s?["state"]?["terminated"] is null) == true)
        {
            Terminated("job", 143);
        }

        foreach (var container in _logs.Keys.ToList())
        {
            EndLog(container);
        }

        EndLog();
        _api.RemovePod(this);
    }

    private void SetState(string container, JsonObject state) => Update(status =>
    {
        var init = Containers("initContainers").Any(c => (string?)c["name"] == container);
        var field = init ? "initContainerStatuses" : "containerStatuses";
        var list = status[field] as JsonArray ?? [];
        status[field] = list;
        var entry = list.OfType<JsonObject>().FirstOrDefault(s => (string?)s["name"] == container);
        if (entry is null)
        {
            entry = new JsonObject { ["name"] = container, ["image"] = Image(container), ["ready"] = false, ["restartCount"] = 0 };
            list.Add(entry);
        }

        entry["state"] = state;
        entry["ready"] = state.ContainsKey("running");
    });

    /// <summary>Changes the pod's status and tells the watches.</summary>
    public void Update(Action<JsonObject> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            var status = _item["status"] as JsonObject ?? [];
            _item["status"] = status;
            change(status);
        }

        var snapshot = Snapshot();
        _api.Changed("Pod", "MODIFIED", snapshot);
        lock (_gate)
        {
            ((JsonObject)_item["metadata"]!)["resourceVersion"] = (string?)snapshot["metadata"]?["resourceVersion"];
        }
    }

    private List<JsonObject> Containers(string field = "containers")
    {
        lock (_gate)
        {
            var list = (_item["spec"]?[field] as JsonArray)?.OfType<JsonObject>().Select(c => (JsonObject)c.DeepClone()).ToList() ?? [];
            if (field == "containers")
            {
                list.AddRange((_item["spec"]?["initContainers"] as JsonArray)?.OfType<JsonObject>().Select(c => (JsonObject)c.DeepClone()) ?? []);
            }

            return list;
        }
    }

    private static JsonObject Condition(string type, string status, string? reason, string? message) =>
        new() { ["type"] = type, ["status"] = status, ["reason"] = reason, ["message"] = message, ["lastTransitionTime"] = Now() };

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
