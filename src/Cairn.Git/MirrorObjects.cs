using System.Diagnostics;
using System.Globalization;
using System.Text;
using Cairn.Core.Pipelines;

namespace Cairn.Git;

/// <summary>An object as <c>git cat-file --batch</c> describes it; <paramref name="Content"/> is null when it was
/// larger than the reader would hold.</summary>
internal sealed record GitObject(string Id, string Type, long Size, byte[]? Content);

/// <summary>One mirror's objects read through a <c>git cat-file --batch</c> kept running, rather than a git process per
/// question: a burst of deliveries asks each mirror whether it holds a commit and what its pipeline file says dozens of
/// times a second. Questions take turns. git looks again in the repository's packs for an object it does not know, so
/// the process sees what later fetches bring (and what a repack moved). A process idle for <see cref="Idle"/> is
/// ended; one that ends, answers outside the protocol, or takes longer than its time limit is killed, and the next
/// question starts another. Names are written one a line, so a name never holds a line break (GitNames refuses them).</summary>
internal sealed class MirrorObjects(GitProcess git, string mirror, TimeSpan timeout, TimeProvider time) : IDisposable
{
    /// <summary>How long a process is kept without a question.</summary>
    public static readonly TimeSpan Idle = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _turn = new(1, 1);
    private Batch? _batch;
    private ITimer? _idle;

    /// <summary>The object <paramref name="name"/> names (an id, <c>id^{commit}</c>, <c>id:path</c>), with its content
    /// when it is no larger than <paramref name="maxContent"/>; null when there is no such object.</summary>
    /// <exception cref="GitException">git could not be started, ended, or took too long.</exception>
    public async Task<GitObject?> ReadAsync(string name, long maxContent, CancellationToken cancellationToken)
    {
        if (name.Contains('\n', StringComparison.Ordinal) || name.Contains('\r', StringComparison.Ordinal))
        {
            throw new ArgumentException("an object name is one line", nameof(name));
        }

        await _turn.WaitAsync(cancellationToken);
        try
        {
            // A process that ended since its last answer (killed from outside, say: its pipe is closed) is replaced once.
            for (var attempt = 1; ; attempt++)
            {
                _batch ??= Batch.Start(git, mirror);
                try
                {
                    return await AskAsync(_batch, name, maxContent, cancellationToken);
                }
                catch (IOException) when (attempt == 1 && _batch.AnsweredBefore)
                {
                    Stop();
                }
            }
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or FormatException)
        {
            Stop();
            throw new GitException($"git cat-file in {mirror} stopped answering: {ex.Message}", ex);
        }
        catch
        {
            Stop();
            throw;
        }
        finally
        {
            _idle ??= time.CreateTimer(_ => StopWhenIdle(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _idle.Change(Idle, Timeout.InfiniteTimeSpan);
            _turn.Release();
        }
    }

    public void Dispose()
    {
        _turn.Wait();
        try
        {
            Stop();
            _idle?.Dispose();
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task<GitObject?> AskAsync(Batch batch, string name, long maxContent, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await batch.Input.WriteAsync(Encoding.UTF8.GetBytes(name + "\n"), limit.Token);
            await batch.Input.FlushAsync(limit.Token);
            var header = await batch.ReadLineAsync(limit.Token);
            var fields = header.Split(' ');
            if (fields is not [var id, var type, var sizeText] || !id.All(char.IsAsciiHexDigit)
                || !long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size))
            {
                // "<name> missing" (or "ambiguous", "dangling" for what is not an object here): nothing to read after it.
                return header.StartsWith(name + " ", StringComparison.Ordinal) ? null : throw new FormatException($"unexpected answer '{header}'");
            }

            if (size > maxContent)
            {
                // Not read, and not left in the pipe either: this process is done; the next question starts another.
                Stop();
                return new GitObject(id, type, size, null);
            }

            var content = await batch.ReadExactlyAsync(size + 1, limit.Token);
            return content[^1] == (byte)'\n'
                ? new GitObject(id, type, size, content[..^1])
                : throw new FormatException($"the content of {id} does not end where its header said");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Stop();
            throw new GitException($"git cat-file took longer than {Duration.Format(timeout)} and was stopped");
        }
    }

    private void StopWhenIdle()
    {
        if (_turn.Wait(0))
        {
            try
            {
                Stop();
            }
            finally
            {
                _turn.Release();
            }
        }
    }

    private void Stop()
    {
        _batch?.Dispose();
        _batch = null;
    }

    /// <summary>One running <c>git cat-file --batch</c> and its pipes.</summary>
    private sealed class Batch(Process process) : IDisposable
    {
        private readonly Stream _output = process.StandardOutput.BaseStream;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public Stream Input { get; } = process.StandardInput.BaseStream;

        /// <summary>Whether it answered a question before: one that never did is not started again for the same one.</summary>
        public bool AnsweredBefore { get; private set; }

        public static Batch Start(GitProcess git, string mirror)
        {
            // Named, not found from the working directory: a mirror another process is still creating is not yet a
            // repository, and git would look for one above it (the data directory may lie inside another) and keep
            // answering from there.
            var process = git.Start(mirror, [$"--git-dir={mirror}", "cat-file", "--batch"]);

            // Read so that git never blocks on a full pipe; what it says there shows in no answer.
            _ = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
            return new Batch(process);
        }

        public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var end = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (end >= 0)
                {
                    var line = Encoding.UTF8.GetString(_buffer, _start, end - _start);
                    _start = end + 1;
                    AnsweredBefore = true;
                    return line;
                }

                await FillAsync(cancellationToken);
            }
        }

        public async Task<byte[]> ReadExactlyAsync(long count, CancellationToken cancellationToken)
        {
            var result = new byte[count];
            var filled = 0;
            while (filled < count)
            {
                if (_start == _end)
                {
                    await FillAsync(cancellationToken);
                }

                var take = (int)Math.Min(count - filled, _end - _start);
                Array.Copy(_buffer, _start, result, filled, take);
                _start += take;
                filled += take;
            }

            return result;
        }

        public void Dispose()
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It had ended.
            }

            process.Dispose();
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new FormatException("an answer's header is longer than a buffer");
            }

            var read = await _output.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                throw new EndOfStreamException("git cat-file ended");
            }

            _end += read;
        }
    }
}
