using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Storage.Portable;
using System.Data.Common;

namespace Cairn.Storage.Postgres;

/// <summary>A job's log as PostgreSQL keeps it (migration 27): chunks of consecutive lines, each four parallel arrays
/// (steps, streams, times, texts) after its first sequence number. A chunk is cut as the index's blocks are
/// (<see cref="LogBlocks"/>), so that it becomes one block when it is indexed.</summary>
internal static class PostgresLogChunks
{
    private static readonly string[] StreamNames = [.. Enum.GetValues<LogStream>().Select(RecordRows.StreamWire)];

    /// <summary>Where each chunk of <paramref name="lines"/> (in order of sequence number) starts and how many lines it
    /// holds: never a gap in the sequence numbers, at most <see cref="LogBlocks.MaximumLines"/> lines and, joined with
    /// line feeds, <see cref="LogBlocks.MaximumLength"/> characters unless its one line is longer.</summary>
    public static List<(int Start, int Count)> Cut(IReadOnlyList<StoredLogLine> lines)
    {
        var chunks = new List<(int, int)>(lines.Count / LogBlocks.MaximumLines + 1);
        int start = 0, length = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var count = i - start;
            if (count > 0 && (lines[i].Sequence != lines[i - 1].Sequence + 1 || count == LogBlocks.MaximumLines
                || length + 1 + lines[i].Text.Length > LogBlocks.MaximumLength))
            {
                chunks.Add((start, count));
                (start, count, length) = (i, 0, 0);
            }

            length += (count > 0 ? 1 : 0) + lines[i].Text.Length;
        }

        if (lines.Count > start)
        {
            chunks.Add((start, lines.Count - start));
        }

        return chunks;
    }

    /// <summary>Binds a batch of lines and its chunks (<see cref="Cut"/>) to <see cref="PostgresSql.InsertLogChunks"/>.</summary>
    public static void BindInsert(DbCommand command, long jobId, IReadOnlyList<StoredLogLine> lines, string payload)
    {
        var chunks = Cut(lines);
        var steps = new int[lines.Count];
        var streams = new string[lines.Count];
        var stamps = new long[lines.Count];
        var texts = new string[lines.Count];
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            (steps[i], streams[i], stamps[i], texts[i]) =
                (line.StepIndex, StreamNames[(int)line.Stream], RecordRows.ToMillis(line.Timestamp), line.Text);
        }

        command
            .Bind("@job", jobId)
            .Bind("@starts", chunks.Select(c => c.Start + 1).ToArray())
            .Bind("@counts", chunks.Select(c => c.Count).ToArray())
            .Bind("@firsts", chunks.Select(c => lines[c.Start].Sequence).ToArray())
            .Bind("@steps", steps)
            .Bind("@streams", streams)
            .Bind("@stamps", stamps)
            .Bind("@texts", texts)
            .Bind("@payload", payload);
    }

    /// <summary>Reads up to <paramref name="limit"/> of the job's lines after <paramref name="afterSequence"/> in order, of
    /// one step when <paramref name="stepIndex"/> is given.</summary>
    public static async Task<IReadOnlyList<StoredLogLine>> ReadAsync(
        PostgresDatabase database, long jobId, int? stepIndex, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        var lines = new List<StoredLogLine>(Math.Clamp(limit, 0, 1_024));
        if (limit <= 0)
        {
            return lines;
        }

        var chunks = await database.QueryAsync(
            stepIndex is null ? PostgresSql.LogChunksAfter : PostgresSql.StepLogChunksAfter,
            command =>
            {
                command.Bind("@job", jobId).Bind("@after", afterSequence).Bind("@limit", limit);
                if (stepIndex is { } step)
                {
                    command.Bind("@step", step);
                }
            },
            row => (First: row.GetInt64(0), Steps: row.GetFieldValue<int[]>(1), Streams: row.GetFieldValue<string[]>(2),
                Stamps: row.GetFieldValue<long[]>(3), Texts: row.GetFieldValue<string[]>(4)),
            cancellationToken);
        foreach (var chunk in chunks)
        {
            for (var i = 0; i < chunk.Texts.Length && lines.Count < limit; i++)
            {
                var sequence = chunk.First + i;
                if (sequence > afterSequence && (stepIndex is null || stepIndex == chunk.Steps[i]))
                {
                    lines.Add(new StoredLogLine(
                        sequence, chunk.Steps[i], StreamOf(chunk.Streams[i]), RecordRows.FromMillis(chunk.Stamps[i]), chunk.Texts[i]));
                }
            }
        }

        return lines;
    }

    private static LogStream StreamOf(string wire) =>
        wire == "stdout" ? LogStream.Stdout : wire == "stderr" ? LogStream.Stderr : Enum.Parse<LogStream>(wire, ignoreCase: true);
}
