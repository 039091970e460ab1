using System.Buffers;

namespace Cairn.Server.Webhooks;

/// <summary>A webhook's body in one buffer lent from a pool: as long as its Content-Length says, or, for a chunked body,
/// small at first and made four times larger only as bytes arrive; never longer than the limit. <see cref="Dispose"/>
/// gives it back.</summary>
internal sealed class PooledBody : IDisposable
{
    private const int FirstSize = 16 * 1024;

    private readonly ArrayPool<byte> _pool;
    private byte[]? _buffer;
    private int _length;

    private PooledBody(ArrayPool<byte> pool, int size)
    {
        _pool = pool;
        _buffer = pool.Rent(size);
    }

    /// <summary>The bytes received; valid until <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> Bytes => Buffer.AsMemory(0, _length);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledBody));

    /// <summary>The whole body, or null as soon as it is longer than <paramref name="limit"/>: no more than the limit
    /// and one byte are read. <paramref name="length"/> is the Content-Length, when there is one.</summary>
    public static async Task<PooledBody?> ReadAsync(
        ArrayPool<byte> pool, Stream body, long? length, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var pooled = new PooledBody(pool, length is > 0 ? (int)Math.Min(length.Value, limit) : Math.Min(FirstSize, limit));
        var complete = false;
        try
        {
            while (true)
            {
                // The pool may lend more than was asked for; what is used of it stops at the limit.
                var capacity = Math.Min(pooled.Buffer.Length, limit);
                if (pooled._length == capacity && capacity < limit)
                {
                    pooled.Grow((int)Math.Min(4L * pooled.Buffer.Length, limit));
                    continue;
                }

                var read = pooled._length == capacity
                    ? await body.ReadAsync(new byte[1], cancellationToken)
                    : await body.ReadAsync(pooled.Buffer.AsMemory(pooled._length, capacity - pooled._length), cancellationToken);
                if (read == 0)
                {
                    complete = true;
                    return pooled;
                }

                if (pooled._length == capacity)
                {
                    return null;
                }

                pooled._length += read;
            }
        }
        finally
        {
            if (!complete)
            {
                pooled.Dispose();
            }
        }
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _pool.Return(buffer);
        }
    }

    private void Grow(int size)
    {
        var larger = _pool.Rent(size);
        Buffer.AsSpan(0, _length).CopyTo(larger);
        _pool.Return(Buffer);
        _buffer = larger;
    }
}
