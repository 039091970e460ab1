using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Storage.Portable;

namespace Cairn.Storage.Sqlite;

/// <summary>A job's log as SQLite keeps it (migration 24): chunks of up to <see cref="MaximumLines"/> consecutive lines,
/// each a JSON array of <c>[step_idx, stream, ts, text]</c>, the chunk's first sequence number first.</summary>
internal static class SqliteLogChunks
{
    /// <summary>The most lines a chunk holds; the table's CHECK holds it too, and readers rely on it to find the chunk
    /// that holds a sequence number from the key.</summary>
    public const int MaximumLines = 64;

    /// <summary>The most characters of text a chunk holds, unless its one line is longer.</summary>
    public const int MaximumLength = 8_192;

    // What JSON does not take in a string as it is: the quote, the backslash and the control characters. In UTF-8 these
    // are the same single bytes, and no byte of a multi-byte sequence is below 0x80, so the search runs on the encoded text.
    private static readonly SearchValues<byte> Escaped = SearchValues.Create(
        [(byte)'"', (byte)'\\', .. Enumerable.Range(0, 0x20).Select(c => (byte)c)]);

    // Lines up to this many characters are encoded on the stack, longer ones into a rented array.
    private const int StackChars = 1_024;

    private static readonly byte[][] StreamNames = [.. Enum.GetValues<LogStream>().Select(s => Encoding.UTF8.GetBytes($"\"{RecordRows.StreamWire(s)}\","))];

    /// <summary>Where each chunk of <paramref name="lines"/> (in order of sequence number) starts and how many lines it
    /// holds: a chunk never spans a gap in the sequence numbers.</summary>
    public static List<(int Start, int Count)> Cut(IReadOnlyList<StoredLogLine> lines)
    {
        var chunks = new List<(int, int)>(lines.Count / MaximumLines + 1);
        int start = 0, length = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var count = i - start;
            if (count > 0 && (lines[i].Sequence != lines[i - 1].Sequence + 1 || count == MaximumLines || length + lines[i].Text.Length > MaximumLength))
            {
                chunks.Add((start, count));
                (start, length) = (i, 0);
            }

            length += lines[i].Text.Length;
        }

        if (lines.Count > start)
        {
            chunks.Add((start, lines.Count - start));
        }

        return chunks;
    }

    /// <summary>The chunk of <paramref name="count"/> lines from <paramref name="start"/> as its JSON text in UTF-8, written
    /// through <paramref name="json"/> (kept from chunk to chunk): SQLite stores it as it is, with no conversion.</summary>
    public static byte[] Encode(ArrayBufferWriter<byte> json, IReadOnlyList<StoredLogLine> lines, int start, int count)
    {
        json.ResetWrittenCount();
        Write(json, "["u8);
        for (var i = start; i < start + count; i++)
        {
            var line = lines[i];
            Write(json, i > start ? ",["u8 : "["u8);
            WriteNumber(json, line.StepIndex);
            Write(json, ","u8);
            Write(json, StreamNames[(int)line.Stream]);
            WriteNumber(json, RecordRows.ToMillis(line.Timestamp));
            Write(json, ",\""u8);
            WriteEscaped(json, line.Text);
            Write(json, "\"]"u8);
        }

        Write(json, "]"u8);
        return json.WrittenSpan.ToArray();
    }

    /// <summary>Adds the lines of one chunk (its JSON as UTF-8) after <paramref name="afterSequence"/>, of one step when
    /// <paramref name="stepIndex"/> is given, to <paramref name="into"/> until it holds <paramref name="limit"/>.</summary>
    public static void Decode(ReadOnlySpan<byte> json, long firstSequence, long afterSequence, int? stepIndex, int limit, List<StoredLogLine> into)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        for (var sequence = firstSequence; into.Count < limit && reader.Read() && reader.TokenType == JsonTokenType.StartArray; sequence++)
        {
            reader.Read();
            var step = reader.GetInt32();
            reader.Read();
            var stream = StreamOf(ref reader);
            reader.Read();
            var at = reader.GetInt64();
            reader.Read();
            if (sequence > afterSequence && (stepIndex is null || stepIndex == step))
            {
                into.Add(new StoredLogLine(sequence, step, stream, RecordRows.FromMillis(at), reader.GetString()!));
            }

            reader.Read();
        }
    }

    private static LogStream StreamOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("stdout"u8) ? LogStream.Stdout
        : reader.ValueTextEquals("stderr"u8) ? LogStream.Stderr
        : Enum.Parse<LogStream>(reader.GetString()!, ignoreCase: true);

    // The text is encoded to UTF-8 once (as Encoding.UTF8 does it: a lone surrogate becomes U+FFFD, as the text of a row
    // per line was stored), then copied between the bytes JSON escapes.
    private static void WriteEscaped(ArrayBufferWriter<byte> json, string text)
    {
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = text.Length <= StackChars ? stackalloc byte[most] : (rented = ArrayPool<byte>.Shared.Rent(most));
        var rest = buffer[..Encoding.UTF8.GetBytes(text, buffer)];
        for (var at = rest.IndexOfAny(Escaped); at >= 0; at = rest.IndexOfAny(Escaped))
        {
            Write(json, rest[..at]);
            Write(json, rest[at] switch
            {
                (byte)'"' => "\\\""u8,
                (byte)'\\' => "\\\\"u8,
                (byte)'\n' => "\\n"u8,
                (byte)'\r' => "\\r"u8,
                (byte)'\t' => "\\t"u8,
                var c => ControlEscapes[c],
            });
            rest = rest[(at + 1)..];
        }

        Write(json, rest);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static readonly byte[][] ControlEscapes = [.. Enumerable.Range(0, 0x20).Select(c => Encoding.ASCII.GetBytes($"\\u{c:x4}"))];

    private static void Write(ArrayBufferWriter<byte> json, ReadOnlySpan<byte> bytes) => json.Write(bytes);

    private static void WriteNumber(ArrayBufferWriter<byte> json, long value)
    {
        value.TryFormat(json.GetSpan(20), out var written, default, CultureInfo.InvariantCulture);
        json.Advance(written);
    }
}
