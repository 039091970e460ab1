using System.Buffers;
using Cairn.Server.Webhooks;

namespace Cairn.Server.Tests;

public sealed class PooledBodyTests
{
    private const int Limit = 64 * 1024;

    [Theory]
    [InlineData(0, null)]
    [InlineData(1, null)]
    [InlineData(20_000, null)]
    [InlineData(Limit - 1, null)]
    [InlineData(Limit, null)]
    [InlineData(Limit, Limit)]
    [InlineData(300, 300)]
    public async Task A_body_up_to_the_limit_is_read_whole_however_it_arrives(int length, int? declared)
    {
        var sent = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

        using var body = await PooledBody.ReadAsync(ArrayPool<byte>.Shared, new Trickle(sent, 1000), declared, Limit, TestContext.Current.CancellationToken);

        Assert.NotNull(body);
        Assert.Equal(sent, body.Bytes.ToArray());
    }

    [Theory]
    [InlineData(Limit + 1)]
    [InlineData(10 * Limit)]
    public async Task A_body_over_the_limit_is_refused_after_reading_no_more_than_the_limit_and_a_byte(int length)
    {
        var stream = new Trickle(new byte[length], 7000);

        var body = await PooledBody.ReadAsync(ArrayPool<byte>.Shared, stream, null, Limit, TestContext.Current.CancellationToken);

        Assert.Null(body);
        Assert.InRange(stream.Position, Limit + 1, Limit + 1);
    }

    /// <summary>A body that arrives a few bytes at a time, as a chunked one does.</summary>
    private sealed class Trickle(byte[] bytes, int most) : MemoryStream(bytes, writable: false)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, most)], cancellationToken);
    }
}
