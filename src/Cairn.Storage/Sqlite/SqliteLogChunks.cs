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

    // What JSON takes in a string as it is and as one byte: printable ASCII but the quote and the backslash.
    private static readonly SearchValues<char> Plain = SearchValues.Create(
        string.Concat(Enumerable.Range(0x20, 0x60).Where(c => c is not '"' and not '\\').Select(c => (char)c)));

    // How JSON writes the other ASCII characters: the quote, the backslash and the control characters.
    private static readonly byte[][] Escapes = [.. Enumerable.Range(0, 0x80).Select(c => c switch
    {
        '"' => "\\\""u8.ToArray(),
        '\\' => "\\\\"u8.ToArray(),
        '\n' => "\\n"u8.ToArray(),
        '\r' => "\\r"u8.ToArray(),
        '\t' => "\\t"u8.ToArray(),
        < 0x20 => Encoding.ASCII.GetBytes($"\\u{c:x4}"),
        _ => [(byte)c],
    })];

    // A line's bytes besides its text: the brackets, the commas, the quotes, the step, the stream and the time.
    private const int LineFrame = 64;

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

    /// <summary>Writes the chunk of <paramref name="count"/> lines from <paramref name="start"/> as its JSON text in UTF-8
    /// into <paramref name="buffer"/> (kept from chunk to chunk, replaced by a larger one when it is too small) and returns
    /// its length: SQLite stores it as it is, with no conversion.</summary>
    public static int Encode(ref byte[] buffer, IReadOnlyList<StoredLogLine> lines, int start, int count)
    {
        // At most 6 bytes a character (a control character's \u00XX) and the line's fixed parts.
        var most = 2;
        for (var i = start; i < start + count; i++)
        {
            most += lines[i].Text.Length * 6 + LineFrame;
        }

        if (buffer.Length < most)
        {
            buffer = new byte[most];
        }

        var json = buffer.AsSpan();
        var at = 0;
        json[at++] = (byte)'[';
        for (var i = start; i < start + count; i++)
        {
            var line = lines[i];
            if (i > start)
            {
                json[at++] = (byte)',';
            }

            json[at++] = (byte)'[';
            at += Number(line.StepIndex, json[at..]);
            json[at++] = (byte)',';
            at += Copy(StreamNames[(int)line.Stream], json[at..]);
            at += Number(RecordRows.ToMillis(line.Timestamp), json[at..]);
            at += Copy(",\""u8, json[at..]);
            at += Text(line.Text, json[at..]);
            at += Copy("\"]"u8, json[at..]);
        }

        json[at++] = (byte)']';
        return at;
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

    // A line's text as a JSON string's content: runs of printable ASCII are narrowed to bytes as they are, what JSON escapes
    // is escaped, and runs of other characters are encoded as Encoding.UTF8 does it (a lone surrogate becomes U+FFFD, as
    // the text of a row per line was stored; a surrogate pair is never cut, both its halves being outside ASCII).
    private static int Text(ReadOnlySpan<char> text, Span<byte> json)
    {
        var at = 0;
        while (true)
        {
            var odd = text.IndexOfAnyExcept(Plain);
            Ascii.FromUtf16(odd < 0 ? text : text[..odd], json[at..], out var narrowed);
            at += narrowed;
            if (odd < 0)
            {
                return at;
            }

            var c = text[odd];
            if (c < 0x80)
            {
                at += Copy(Escapes[c], json[at..]);
                text = text[(odd + 1)..];
                continue;
            }

            var ascii = text[odd..].IndexOfAnyInRange('\0', '\u007f');
            var end = ascii < 0 ? text.Length : odd + ascii;
            at += Encoding.UTF8.GetBytes(text[odd..end], json[at..]);
            text = text[end..];
        }
    }

    private static int Copy(ReadOnlySpan<byte> bytes, Span<byte> json)
    {
        bytes.CopyTo(json);
        return bytes.Length;
    }

    private static int Number(long value, Span<byte> json)
    {
        value.TryFormat(json, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }
}
