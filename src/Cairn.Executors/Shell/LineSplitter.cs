using System.Text;
using Cairn.Core.Logs;

namespace Cairn.Executors.Shell;

/// <summary>Turns a byte stream into lines: split on '\n', a trailing '\r' dropped, invalid UTF-8 replaced by U+FFFD,
/// over-long lines handed over in pieces of at most <c>maxLineBytes</c> bytes (never inside a character), each but the
/// last marked as continuing, so that the reporter can mask a secret that straddles two pieces.</summary>
internal sealed class LineSplitter(Action<string, bool> emit, int maxLineBytes = LogLine.MaxTextBytes)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly byte[] _pending = new byte[maxLineBytes];
    private int _count;

    public void Write(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Append(chunk);
                return;
            }

            Append(chunk[..newline]);
            EmitPending();
            chunk = chunk[(newline + 1)..];
        }
    }

    /// <summary>Emits a final line that had no newline, if any.</summary>
    public void Flush()
    {
        if (_count > 0)
        {
            EmitPending();
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_count == _pending.Length)
            {
                EmitOverlongPiece();
            }

            var take = Math.Min(_pending.Length - _count, bytes.Length);
            bytes[..take].CopyTo(_pending.AsSpan(_count));
            _count += take;
            bytes = bytes[take..];
        }
    }

    private void EmitPending()
    {
        var line = _pending.AsSpan(0, _count);
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        emit(Utf8.GetString(line), false);
        _count = 0;
    }

    private void EmitOverlongPiece()
    {
        var cut = CharacterBoundary(_pending.AsSpan(0, _count));
        emit(Utf8.GetString(_pending, 0, cut), true);
        _pending.AsSpan(cut, _count - cut).CopyTo(_pending);
        _count -= cut;
    }

    /// <summary>Where to cut a full buffer so that a multi-byte character at its end stays whole in the next piece.</summary>
    private static int CharacterBoundary(ReadOnlySpan<byte> buffer)
    {
        for (var back = 1; back <= 3 && back < buffer.Length; back++)
        {
            var b = buffer[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return length > back ? buffer.Length - back : buffer.Length;
        }

        return buffer.Length;
    }
}
