using System.ComponentModel;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json.Nodes;

namespace Cairn.Testing;

// pods/exec: a WebSocket speaking the channel protocol the client asks for (v5.channel.k8s.io, else v4): every binary
// message starts with its channel (0 stdin, 1 stdout, 2 stderr, 3 the final Status; v5: 255 closes the channel in the
// next byte). The command runs for real on this host as the pod's ExecStart says.
public sealed partial class FakeKubernetesApi
{
    private const string ExecV5 = "v5.channel.k8s.io";
    private const string ExecV4 = "v4.channel.k8s.io";
    private string? _execRefusal;

    /// <summary>Every pods/exec from now on is refused with 403 and this message (RBAC without <c>pods/exec</c>).</summary>
    public void RefuseExecs(string message)
    {
        lock (_gate)
        {
            _execRefusal = message;
        }
    }

    private async Task ExecAsync(string ns, string name, FakeKubernetesRequest request, FakeKubernetesResponse response, CancellationToken cancellationToken)
    {
        FakePod? pod;
        lock (_gate)
        {
            _pods.TryGetValue(ns + "/" + name, out pod);
        }

        if (pod is null)
        {
            await response.SendAsync(404, NotFound("pods", name).Item2, cancellationToken);
            return;
        }

        string? refusal;
        lock (_gate)
        {
            refusal = _execRefusal;
        }

        if (refusal is not null)
        {
            await response.SendAsync(403, Status(403, "Forbidden", refusal), cancellationToken);
            return;
        }

        var offered = (request.Headers.TryGetValue("Sec-WebSocket-Protocol", out var p) ? p : "").Split(',', StringSplitOptions.TrimEntries);
        var protocol = offered.Contains(ExecV5) ? ExecV5 : offered.Contains(ExecV4) ? ExecV4 : null;
        if (protocol is null || !request.Headers.TryGetValue("Sec-WebSocket-Key", out var key))
        {
            await response.SendAsync(400, Status(400, "BadRequest", "exec needs a WebSocket upgrade with a channel.k8s.io protocol"), cancellationToken);
            return;
        }

        var command = request.All("command");
        pod.Executed(command);
        using var socket = await response.AcceptWebSocketAsync(key, protocol, cancellationToken);
        using var sending = new SemaphoreSlim(1);
        async Task SendAsync(byte channel, ReadOnlyMemory<byte> data)
        {
            var frame = new byte[data.Length + 1];
            frame[0] = channel;
            data.CopyTo(frame.AsMemory(1));
            await sending.WaitAsync(cancellationToken);
            try
            {
                await socket.SendAsync(frame, WebSocketMessageType.Binary, true, cancellationToken);
            }
            finally
            {
                sending.Release();
            }
        }

        var (process, refused) = StartExec(pod, command);
        using (process)
        {
            var stdin = request["stdin"] is "1" or "true";
            if (process is not null && !stdin)
            {
                process.StandardInput.Close();
            }

            var input = ReceiveStdinAsync(socket, process is not null && stdin ? process.StandardInput.BaseStream : null, protocol == ExecV5, cancellationToken);
            var status = process is null ? refused! : await RunExecAsync(process, command, SendAsync, cancellationToken);
            await SendAsync(3, System.Text.Encoding.UTF8.GetBytes(status));
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                await input.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }
            catch (Exception error) when (error is WebSocketException or OperationCanceledException or IOException or TimeoutException)
            {
            }
        }
    }

    private static (Process? Process, string? Refused) StartExec(FakePod pod, IReadOnlyList<string> command)
    {
        if (pod.ExecStart is not { } start || command.Count == 0)
        {
            return (null, Status(400, "BadRequest", "container job is not running"));
        }

        try
        {
            var info = start(command);
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            return (Process.Start(info) ?? throw new Win32Exception(), null);
        }
        catch (Win32Exception)
        {
            return (null, Status(500, "InternalError",
                $"Internal error occurred: error executing command in container: exec: \"{command[0]}\": executable file not found in $PATH: unknown"));
        }
    }

    private static async Task<string> RunExecAsync(Process process, IReadOnlyList<string> command, Func<byte, ReadOnlyMemory<byte>, Task> send,
        CancellationToken cancellationToken)
    {
        async Task PumpAsync(Stream from, byte channel)
        {
            var buffer = new byte[32 * 1024];
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await send(channel, buffer.AsMemory(0, read));
            }
        }

        try
        {
            await Task.WhenAll(PumpAsync(process.StandardOutput.BaseStream, 1), PumpAsync(process.StandardError.BaseStream, 2));
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode == 0)
        {
            return new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }.ToJsonString();
        }

        var code = process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(" ", command)}], exit code {code}",
            ["reason"] = "NonZeroExitCode",
            ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = code }) },
        }.ToJsonString();
    }

    // Channel 0 into the command's standard input (null: none asked for, its input is closed) until the client closes it
    // (v5) or the connection ends; the client's close message ends it.
    private static async Task ReceiveStdinAsync(WebSocket socket, Stream? input, bool v5, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024 + 1];
        var open = input is not null;
        try
        {
            while (true)
            {
                var first = true;
                var channel = (byte)0;
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    var data = buffer.AsMemory(0, received.Count);
                    if (first && data.Length > 0)
                    {
                        channel = data.Span[0];
                        data = data[1..];
                        first = false;
                    }

                    if (v5 && channel == 255 && data.Length > 0 && data.Span[0] == 0 && open)
                    {
                        open = false;
                        input!.Close();
                    }
                    else if (channel == 0 && open)
                    {
                        try
                        {
                            await input!.WriteAsync(data, cancellationToken);
                            await input.FlushAsync(cancellationToken);
                        }
                        catch (IOException)
                        {
                            // The command stopped reading (it ended): the rest is dropped.
                            open = false;
                        }
                    }
                }
                while (!received.EndOfMessage);
            }
        }
        finally
        {
            if (open)
            {
                try
                {
                    input!.Close();
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
