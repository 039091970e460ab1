using System.Buffers.Binary;
using Cairn.Core.Logs;

namespace Cairn.Executors.Container;

/// <summary>Splits the engine's multiplexed attach stream (no TTY) back into stdout and stderr. Each frame is an
/// 8-byte header — stream type (1 stdout, 2 stderr), three zero bytes, a big-endian payload length — then the
/// payload. Frames and headers may be cut anywhere by the transport; this keeps state across writes.</summary>
internal sealed class FrameDemultiplexer(Action<LogStream, ReadOnlySpan<byte>> payload)
{
    private const int HeaderSize = 8;

    private readonly byte[] _header = new byte[HeaderSize];
    private int _headerCount;
    private uint _remaining;
    private LogStream _stream;

    public void Write(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            if (_remaining == 0)
            {
                var take = Math.Min(HeaderSize - _headerCount, chunk.Length);
                chunk[..take].CopyTo(_header.AsSpan(_headerCount));
                _headerCount += take;
                chunk = chunk[take..];
                if (_headerCount == HeaderSize)
                {
                    _headerCount = 0;
                    // stdin (0) never comes back from an exec without a stdin; anything unknown is treated as stdout.
                    _stream = _header[0] == 2 ? LogStream.Stderr : LogStream.Stdout;
                    _remaining = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
                }

                continue;
            }

            var length = (int)Math.Min(_remaining, (uint)chunk.Length);
            payload(_stream, chunk[..length]);
            _remaining -= (uint)length;
            chunk = chunk[length..];
        }
    }
}
