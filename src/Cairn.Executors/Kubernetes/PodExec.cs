using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Autorest;

namespace Cairn.Executors.Kubernetes;

/// <summary>One command in a running container through the pods/exec subresource, over the WebSocket channel protocol
/// (<c>v5.channel.k8s.io</c>: each binary message starts with its channel — 0 stdin, 1 stdout, 2 stderr, 3 the final
/// Status, 255 a channel's close). Standard input is streamed from a <see cref="Stream"/> and closed at its end; standard
/// output is streamed into one, never held whole; standard error is kept (bounded) for the error message.</summary>
internal static class PodExec
{
    private const byte StdIn = 0;
    private const byte StdOut = 1;
    private const byte StdErr = 2;
    private const byte Status = 3;
    private const byte Close = 255;
    private const int Chunk = 64 * 1024;
    private const int StdErrLimit = 4096;

    /// <summary>What a command ended with: its exit code (0: success), standard error (bounded) and the bytes it wrote to
    /// standard output.</summary>
    public sealed record Result(int ExitCode, string StdErr, string Message, long StdOutBytes);

    /// <summary>Runs <paramref name="command"/> in <paramref name="container"/>; <paramref name="stdin"/> (or nothing)
    /// is its input, <paramref name="stdout"/> (or nowhere) takes its output. A command that could not start at all (no
    /// such executable in the image) throws <see cref="IOException"/>.</summary>
    public static async Task<Result> RunAsync(IKubernetes client, PodIdentity pod, string container, IReadOnlyList<string> command,
        Stream? stdin, Stream? stdout, CancellationToken cancellationToken)
    {
        WebSocket socket;
        try
        {
            socket = await client.WebSocketNamespacedPodExecAsync(pod.Name, pod.Namespace, command, container,
                stderr: true, stdin: stdin is not null, stdout: true, tty: false,
                webSocketSubProtocol: WebSocketProtocol.V5BinaryWebsocketProtocol, cancellationToken: cancellationToken);
        }
        catch (Exception error) when (error is WebSocketException or HttpOperationException or KubernetesException)
        {
            var said = error is HttpOperationException { Body: k8s.Models.V1Status { Message: { Length: > 0 } message } } ? message : error.Message;
            var forbidden = said.Contains("'403'", StringComparison.Ordinal) || said.Contains("forbidden", StringComparison.OrdinalIgnoreCase)
                ? $"; artifacts and caches need `create` on pods/exec in namespace {pod.Namespace}"
                : "";
            throw new IOException($"the cluster refused to run a command in the job's pod (pods/exec): {said}{forbidden}", error);
        }

        using (socket)
        {
            using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sending = stdin is null ? Task.CompletedTask : SendAsync(socket, stdin, done.Token);
            Result result;
            try
            {
                result = await ReceiveAsync(socket, stdout, cancellationToken);
            }
            catch (WebSocketException error)
            {
                throw new IOException($"the connection to the job's pod was lost: {error.Message}", error);
            }
            finally
            {
                await done.CancelAsync();
                try
                {
                    await sending;
                }
                catch (Exception error) when (error is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
                {
                    // The command ended without reading all its input (or the connection went): what it said is the answer.
                }
            }

            if (socket.State == WebSocketState.CloseReceived)
            {
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                }
                catch (WebSocketException)
                {
                }
            }

            return result;
        }
    }

    // Reading the input failing ends the whole command: the connection is cut, so the receive does not wait forever.
    private static async Task SendAsync(WebSocket socket, Stream stdin, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Chunk + 1);
        try
        {
            buffer[0] = StdIn;
            int read;
            while ((read = await stdin.ReadAsync(buffer.AsMemory(1, Chunk), cancellationToken)) > 0)
            {
                await socket.SendAsync(buffer.AsMemory(0, read + 1), WebSocketMessageType.Binary, true, cancellationToken);
            }

            await socket.SendAsync(new byte[] { Close, StdIn }, WebSocketMessageType.Binary, true, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            socket.Abort();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<Result> ReceiveAsync(WebSocket socket, Stream? stdout, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        var stderr = new MemoryStream();
        var status = new MemoryStream();
        long written = 0;
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
                        return Finish(status, stderr, written);
                    }

                    var data = buffer.AsMemory(0, received.Count);
                    if (first && data.Length > 0)
                    {
                        channel = data.Span[0];
                        data = data[1..];
                        first = false;
                    }

                    switch (channel)
                    {
                        case StdOut when stdout is not null:
                            await stdout.WriteAsync(data, cancellationToken);
                            written += data.Length;
                            break;
                        case StdErr when stderr.Length < StdErrLimit:
                            stderr.Write(data.Span[..Math.Min(data.Length, StdErrLimit - (int)stderr.Length)]);
                            break;
                        case Status:
                            status.Write(data.Span);
                            break;
                    }
                }
                while (!received.EndOfMessage);
            }
        }
        catch (WebSocketException) when (status.Length > 0)
        {
            // The server may drop the connection right after the Status: that is the end.
            return Finish(status, stderr, written);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Result Finish(MemoryStream status, MemoryStream stderr, long written)
    {
        var error = Encoding.UTF8.GetString(stderr.ToArray()).Trim();
        if (status.Length == 0)
        {
            throw new IOException("the command in the job's pod ended without an exit status (the connection was lost)" + (error.Length > 0 ? ": " + error : ""));
        }

        using var json = JsonDocument.Parse(status.ToArray());
        var root = json.RootElement;
        var state = root.TryGetProperty("status", out var s) ? s.GetString() : null;
        var message = root.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
        if (state == "Success")
        {
            return new Result(0, error, message, written);
        }

        var reason = root.TryGetProperty("reason", out var r) ? r.GetString() : null;
        if (reason == "NonZeroExitCode" && root.TryGetProperty("details", out var details)
            && details.TryGetProperty("causes", out var causes) && causes.ValueKind == JsonValueKind.Array)
        {
            foreach (var cause in causes.EnumerateArray())
            {
                if (cause.TryGetProperty("reason", out var why) && why.GetString() == "ExitCode"
                    && cause.TryGetProperty("message", out var code) && int.TryParse(code.GetString(), out var exit))
                {
                    return new Result(exit, error, message, written);
                }
            }
        }

        throw new IOException(message.Length > 0 ? message : "the command in the job's pod could not be run");
    }
}
