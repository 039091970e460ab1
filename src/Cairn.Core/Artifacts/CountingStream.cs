namespace Cairn.Core.Artifacts;

/// <summary>A read-only stream over another that counts what was read, copies it to <paramref name="copy"/> when given,
/// and refuses to read past <paramref name="limit"/> bytes with <paramref name="overLimit"/>'s exception.</summary>
internal sealed class CountingStream(Stream source, Stream? copy, long limit, Func<Exception> overLimit) : Stream
{
    public long Count { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => Count;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await source.ReadAsync(buffer, cancellationToken);
        Count += read;
        if (Count > limit)
        {
            throw overLimit();
        }

        if (copy is not null && read > 0)
        {
            await copy.WriteAsync(buffer[..read], cancellationToken);
        }

        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
