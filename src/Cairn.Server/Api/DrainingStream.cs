namespace Cairn.Server.Api;

/// <summary>Lets a writer that writes synchronously (<see cref="System.IO.Compression.ZipArchive"/> does, in part) write to
/// a response body, which takes only asynchronous writes: a synchronous write is kept in a small buffer until the caller
/// drains it (<see cref="DrainAsync"/>), which it does after each piece it hands the writer, so the buffer holds at most
/// one piece's output.</summary>
internal sealed class DrainingStream(Stream inner) : Stream
{
    private readonly MemoryStream _pending = new();
    private long _written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _written; set => throw new NotSupportedException(); }

    /// <summary>Sends what synchronous writes left.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length > 0)
        {
            await inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken);
            _pending.SetLength(0);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _pending.Write(buffer);
        _written += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await DrainAsync(cancellationToken);
        await inner.WriteAsync(buffer, cancellationToken);
        _written += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await DrainAsync(cancellationToken);
        await inner.FlushAsync(cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
        }

        base.Dispose(disposing);
    }
}
