using System.IO.Pipelines;

namespace Cairn.Core.Artifacts;

/// <summary>Joins a writer of a stream to a reader of it without holding more than a little in memory: the writer runs
/// beside the reader through a pipe, and a failure on either side reaches the other.</summary>
public static class TarStreams
{
    private static readonly PipeOptions Options = new(pauseWriterThreshold: 1 << 20, resumeWriterThreshold: 1 << 19, useSynchronizationContext: false);

    /// <summary>Starts <paramref name="write"/> on a stream whose bytes <paramref name="read"/> reads, and answers what
    /// <paramref name="read"/> answers once both are done. The first failure wins; the other side is stopped.</summary>
    public static async Task<T> PipeAsync<T>(
        Func<Stream, CancellationToken, Task> write, Func<Stream, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(read);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pipe = new Pipe(Options);
        var writing = Task.Run(
            async () =>
            {
                var stream = pipe.Writer.AsStream(leaveOpen: true);
                try
                {
                    await write(stream, stop.Token);
                    await stream.FlushAsync(stop.Token);
                    await pipe.Writer.CompleteAsync();
                }
                catch (Exception ex)
                {
                    await pipe.Writer.CompleteAsync(ex);
                    throw;
                }
            },
            CancellationToken.None);

        T result;
        var reader = pipe.Reader.AsStream(leaveOpen: true);
        try
        {
            result = await read(reader, stop.Token);

            // What the reader left is drained, so the writer always ends.
            await reader.CopyToAsync(Stream.Null, stop.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await stop.CancelAsync();
            await pipe.Reader.CompleteAsync(ex);
            try
            {
                await writing;
            }
            catch (Exception writer) when (writer is not OperationCanceledException and not OutOfMemoryException && !ReferenceEquals(writer, ex))
            {
                // The writer failed on its own (nothing matched, a file it could not read): that is the cause; the reader
                // saw only the pipe end early.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(writer);
            }
            catch (Exception writer) when (writer is not OutOfMemoryException)
            {
                // The writer was stopped because the reader failed: the reader's failure is the one reported.
            }

            throw;
        }

        await pipe.Reader.CompleteAsync();
        await writing;
        return result;
    }
}
