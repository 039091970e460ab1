using System.Buffers;
using System.IO.Pipelines;

namespace Cairn.Server.Streaming;

/// <summary>A stream that has every line of its job's tail so far and hands its response to the tail's reader: the
/// reader writes each new batch's bytes to it directly, so that a thousand followers cost one pass over their responses
/// per batch rather than a thousand woken tasks. The stream itself writes nothing while it is attached.</summary>
internal sealed class LiveFollower(PipeWriter body, long cursor)
{
    private readonly TaskCompletionSource _detached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The sequence of the last line written to the response; the reader moves it while attached.</summary>
    public long Cursor { get; private set; } = cursor;

    /// <summary>Completes when the reader let go of the stream: it fell behind (its last write was still on its way when
    /// the next batch came) or its response failed. The stream then goes on by itself from <see cref="Cursor"/>.</summary>
    public Task Detached => _detached.Task;

    /// <summary>Guarded by the tail's lock.</summary>
    internal bool Attached { get; set; }

    /// <summary>The last write's flush, until it is done; the stream waits for it before writing again itself.</summary>
    internal Task Flushing { get; private set; } = Task.CompletedTask;

    /// <summary>Writes a batch (called under the tail's lock): false when the follower must be let go instead.</summary>
    internal bool TryWrite(ReadOnlySpan<byte> events, long last)
    {
        if (!Flushing.IsCompleted)
        {
            return false;
        }

        try
        {
            body.Write(events);
            var flush = body.FlushAsync(CancellationToken.None);
            Cursor = last;
            if (!flush.IsCompleted)
            {
                Flushing = flush.AsTask();
                return true;
            }

            var result = flush.GetAwaiter().GetResult();
            return !result.IsCompleted && !result.IsCanceled;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }

    internal void LetGo() => _detached.TrySetResult();
}
