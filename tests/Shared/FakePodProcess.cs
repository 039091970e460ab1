using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Cairn.Testing;

/// <summary>Runs a <see cref="FakePod"/> for real on this host: the init containers' and the <c>job</c> container's
/// commands with <c>/bin/sh</c>, their program files taken from the pod's Secret (the volume's items), <c>/cairn</c> and
/// <c>/workspace</c> (and <c>/cairn-files</c>) mapped to folders of a temporary directory, and each container's environment
/// with its <c>secretKeyRef</c>s read from the Secret. What the job container prints is the pod's log; a graceful delete
/// sends SIGTERM to it; while it runs, pods/exec runs commands on this host with the same mapping (<c>HOME</c> is the
/// workspace). Service containers are not run.</summary>
public static class FakePodProcess
{
    /// <summary>A script for <see cref="FakeKubernetesApi.OnPodCreated"/>.</summary>
    public static async Task RunAsync(FakePod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        using var root = new TempDirectory();
        var programs = Directory.CreateDirectory(Path.Combine(root.Path, "cairn")).FullName;
        var workspace = Directory.CreateDirectory(Path.Combine(root.Path, "workspace")).FullName;
        var files = Directory.CreateDirectory(Path.Combine(root.Path, "cairn-files")).FullName;
        var spec = pod.Snapshot()["spec"]!;
        foreach (var volume in (spec["volumes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            foreach (var item in (volume["secret"]?["items"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var text = pod.SecretValue((string)item["key"]!) ?? "";
                await File.WriteAllTextAsync(Path.Combine(programs, (string)item["path"]!), Map(text, programs, workspace, files), cancellationToken);
            }
        }

        pod.Event("Scheduled", $"Successfully assigned {pod.Namespace}/{pod.Name} to this-host");
        pod.Scheduled();
        foreach (var init in (spec["initContainers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = (string)init["name"]!;
            pod.Running(name);
            var code = await RunAsync(pod, init, name, programs, workspace, files, null, cancellationToken);
            pod.Terminated(name, code);
            if (code != 0)
            {
                pod.Update(status => status["phase"] = "Failed");
                return;
            }
        }

        var job = (spec["containers"] as JsonArray ?? []).OfType<JsonObject>().First(c => (string?)c["name"] == "job");
        pod.Event("Started", "Started container job");
        pod.ExecStart = command =>
        {
            var info = new ProcessStartInfo(Map(command[0], programs, workspace, files)) { WorkingDirectory = workspace };
            foreach (var argument in command.Skip(1))
            {
                info.ArgumentList.Add(Map(argument, programs, workspace, files));
            }

            info.Environment.Clear();
            info.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
            info.Environment["HOME"] = workspace;
            return info;
        };
        pod.Running();
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pod.OnDelete = _ => finished.Task;
        try
        {
            // A graceful delete sends SIGTERM; the pod ends once the process has exited and its output is all in the log.
            var exit = await RunAsync(pod, job, "job", programs, workspace, files, p => pod.OnDelete = async _ =>
            {
                await StopAsync(p, finished.Task);
                await finished.Task;
            }, cancellationToken);
            pod.Terminated("job", exit);
        }
        finally
        {
            pod.ExecStart = null;
            finished.TrySetResult();
        }
    }

    private static async Task<int> RunAsync(FakePod pod, JsonObject container, string name, string programs, string workspace, string files,
        Action<Process>? started, CancellationToken cancellationToken)
    {
        var command = (container["command"] as JsonArray ?? []).Concat(container["args"] as JsonArray ?? []).Select(a => Map((string)a!, programs, workspace, files)).ToList();
        var start = new ProcessStartInfo(command[0] == "sh" ? "/bin/sh" : command[0])
        {
            WorkingDirectory = workspace,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        start.Environment["HOME"] = workspace;
        foreach (var variable in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var value = variable["valueFrom"]?["secretKeyRef"]?["key"] is { } key ? pod.SecretValue((string)key!) : (string?)variable["value"];
            start.Environment[(string)variable["name"]!] = Map(value ?? "", programs, workspace, files);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("the pod's command did not start");
        process.StandardInput.Close();
        started?.Invoke(process);
        async Task PumpAsync(StreamReader reader)
        {
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                pod.Log(line, container: name);
            }
        }

        try
        {
            await Task.WhenAll(PumpAsync(process.StandardOutput), PumpAsync(process.StandardError));
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return process.ExitCode;
    }

    // SIGTERM, then SIGKILL to the whole tree when the process is still there after 30 s. No `kill` child process: a
    // test host that reaps children of its own could leave the wait for it hanging.
    private static async Task StopAsync(Process process, Task finished)
    {
        _ = Kill(process.Id, 15);
        try
        {
            await finished.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static string Map(string text, string programs, string workspace, string files) =>
        text.Replace("/cairn-files", "\u0001F", StringComparison.Ordinal)
            .Replace("'/cairn'", "'\u0001P'", StringComparison.Ordinal)
            .Replace("/cairn/", "\u0001P/", StringComparison.Ordinal)
            .Replace("/workspace", "\u0001W", StringComparison.Ordinal)
            .Replace("\u0001P", programs, StringComparison.Ordinal)
            .Replace("\u0001W", workspace, StringComparison.Ordinal)
            .Replace("\u0001F", files, StringComparison.Ordinal);
}
