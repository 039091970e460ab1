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

    // What JSON does not take in a string as it is: the quote, the backslash and the control characters.
    private static readonly SearchValues<char> Escaped = SearchValues.Create(
        "\"\\" + string.Concat(Enumerable.Range(0, 0x20).Select(c => (char)c)));

    private static readonly string[] StreamNames = [.. Enum.GetValues<LogStream>().Select(RecordRows.StreamWire)];

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

    /// <summary>Writes the chunk of <paramref name="count"/> lines from <paramref name="start"/> as its JSON text.</summary>
    public static string Encode(StringBuilder json, IReadOnlyList<StoredLogLine> lines, int start, int count)
    {
        json.Clear().Append('[');
        for (var i = start; i < start + count; i++)
        {
            var line = lines[i];
            json.Append(i > start ? ",[" : "[")
                .Append(CultureInfo.InvariantCulture, $"{line.StepIndex},\"{StreamNames[(int)line.Stream]}\",{RecordRows.ToMillis(line.Timestamp)},\"");
            AppendEscaped(json, line.Text);
            json.Append("\"]");
        }

        return json.Append(']').ToString();
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

    private static void AppendEscaped(StringBuilder json, string text)
    {
        var rest = text.AsSpan();
        for (var at = rest.IndexOfAny(Escaped); at >= 0; at = rest.IndexOfAny(Escaped))
        {
            json.Append(rest[..at]);
            var c = rest[at];
            _ = c switch
            {
                '"' => json.Append("\\\""),
                '\\' => json.Append("\\\\"),
                '\n' => json.Append("\\n"),
                '\r' => json.Append("\\r"),
                '\t' => json.Append("\\t"),
                _ => json.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)),
            };
            rest = rest[(at + 1)..];
        }

        json.Append(rest);
    }
}
