namespace Cairn.Storage.Blobs;

/// <summary>A read-only view of <paramref name="length"/> bytes of <paramref name="inner"/> from where it stands: reads end
/// there. Seekable (within the view) when the inner stream is. Disposing it disposes the inner stream when it owns it,
/// and <paramref name="owner"/> (a response the stream belongs to).</summary>
internal sealed class BoundedReadStream(Stream inner, long length, bool ownsInner, IDisposable? owner = null) : Stream
{
    private readonly long _start = inner.CanSeek ? inner.Position : 0;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var allowed = (int)Math.Min(buffer.Length, length - _position);
        if (allowed <= 0)
        {
            return 0;
        }

        var read = inner.Read(buffer[..allowed]);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var allowed = (int)Math.Min(buffer.Length, length - _position);
        if (allowed <= 0)
        {
            return 0;
        }

        var read = await inner.ReadAsync(buffer[..allowed], cancellationToken);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!inner.CanSeek)
        {
            throw new NotSupportedException("the stream cannot seek");
        }

        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        inner.Position = _start + target;
        _position = target;
        return target;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("the stream is read-only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the stream is read-only");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (ownsInner)
            {
                inner.Dispose();
            }

            owner?.Dispose();
        }

        base.Dispose(disposing);
    }
}
