using System.Data.Common;
using System.Text;
using Cairn.Core.Logs;

namespace Cairn.Storage.Portable;

/// <summary>How a dialect finds matching lines through its index of log text.</summary>
/// <param name="MatchingJobs">A query of <c>job_id, seq, hits</c>: per job whose log holds the text, its first matching
/// line and how many lines match. It takes <c>@match</c> (what <paramref name="Match"/> makes of the text) and <c>@text</c>
/// (the text itself).</param>
/// <param name="Match">The text as <c>@match</c> takes it: never SQL, only a bound value.</param>
internal sealed record LogSearchStatements(string MatchingJobs, Func<string, string> Match)
{
    /// <summary>The text of the line <c>m.seq</c> of the job <c>m.job_id</c>, as an expression of the search's query.</summary>
    public string LineText { get; init; } = "(SELECT l.text FROM log_lines AS l WHERE l.job_id = m.job_id AND l.seq = m.seq)";

    /// <summary>The first <c>@chunk</c> lines (or about that many) that wait to be indexed, as <c>job_id, seq, text</c> in order of job then
    /// sequence number; null where lines are indexed as they are written.</summary>
    public string? WaitingChunk { get; init; }

    /// <summary>Indexes one block of lines: <c>@job</c>, <c>@first</c>, <c>@last</c> and <c>@text</c>.</summary>
    public string? IndexBlock { get; init; }

    /// <summary>Forgets that the same lines wait.</summary>
    public string? ForgetChunk { get; init; }

    /// <summary>Indexes the first <c>@chunk</c> lines (or about that many) that wait, and forgets that they wait, in one
    /// statement, answering how many chunks of lines it took and how many lines they held; null where the dialect indexes
    /// through <see cref="WaitingChunk"/> or as lines are written.</summary>
    public string? IndexWaitingChunks { get; init; }
}

/// <summary>Cross-run log search (<see cref="ILogSearch"/>), alike for both dialects but for how the index is asked:
/// one query a page, which joins the matching jobs to their runs and first lines.</summary>
internal sealed class LogSearchRecords(IStatementRunner database, LogSearchStatements sql)
{
    private static readonly string RunColumns =
        string.Join(", ", RecordRows.RunColumns.Split(", ").Select(column => "r." + column));

    // The job's and the line's columns follow the run's, whose count grows as runs gain columns.
    private static readonly int JobColumn = RecordRows.RunColumns.Split(", ").Length;

    /// <summary>Lines indexed per transaction when the index catches up.</summary>
    public const int Chunk = 10_000;

    public async Task<LogSearchPage> SearchAsync(LogSearchQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Check() is { } problem)
        {
            throw new ArgumentException(problem, nameof(query));
        }

        await CatchUpAsync(cancellationToken);

        // Only fixed pieces of SQL vary with the filters; every value given is bound.
        var statement = new StringBuilder()
            .Append("SELECT ").Append(RunColumns).Append(", j.id, j.name, m.seq, ").Append(sql.LineText).Append(", m.hits FROM (")
            .Append(sql.MatchingJobs)
            .Append(") AS m JOIN jobs AS j ON j.id = m.job_id JOIN runs AS r ON r.id = j.run_id WHERE 1 = 1");
        if (query.Repository is not null)
        {
            statement.Append(" AND lower(r.repository) = @repository");
        }

        if (query.Before is not null)
        {
            statement.Append(" AND (r.id < @before_run OR (r.id = @before_run AND j.id < @before_job))");
        }

        statement.Append(" ORDER BY r.id DESC, j.id DESC LIMIT @limit;");

        void Bind(DbCommand command)
        {
            command.Bind("@match", sql.Match(query.Text)).Bind("@text", query.Text).Bind("@limit", query.Limit + 1);
            if (query.Repository is { } repository)
            {
                command.Bind("@repository", repository.ToLowerInvariant());
            }

            if (query.Before is { } before)
            {
                command.Bind("@before_run", before.RunId).Bind("@before_job", before.JobId);
            }
        }

        var rows = await database.QueryAsync(
            statement.ToString(),
            Bind,
            row => new LogSearchMatch(
                RecordRows.ReadRun(row), row.GetInt64(JobColumn), row.GetString(JobColumn + 1), row.GetInt64(JobColumn + 2),
                Around(row.GetString(JobColumn + 3), query.Text), row.GetInt64(JobColumn + 4)),
            cancellationToken);
        if (rows.Count <= query.Limit)
        {
            return new LogSearchPage(rows, null);
        }

        rows.RemoveAt(rows.Count - 1);
        return new LogSearchPage(rows, new LogSearchCursor(rows[^1].Run.Id, rows[^1].JobId));
    }

    /// <summary>Indexes every line that waits to be, a chunk per transaction, cut into blocks of consecutive lines of a
    /// job; answers how many lines it indexed.</summary>
    public async Task<long> CatchUpAsync(CancellationToken cancellationToken)
    {
        if (sql.IndexWaitingChunks is { } indexWaiting)
        {
            return await IndexWaitingAsync(indexWaiting, cancellationToken);
        }

        if (sql is not { WaitingChunk: { } waiting, IndexBlock: { } index, ForgetChunk: { } forget })
        {
            return 0;
        }

        long total = 0;
        while (true)
        {
            var taken = await database.InTransactionAsync(
                async transaction =>
                {
                    var lines = await transaction.QueryAsync(
                        waiting,
                        command => command.Bind("@chunk", Chunk),
                        row => (row.GetInt64(0), row.GetInt64(1), row.GetString(2)),
                        cancellationToken);
                    foreach (var block in LogBlocks.Cut(lines))
                    {
                        await transaction.ExecuteAsync(
                            index,
                            command => command
                                .Bind("@job", block.JobId).Bind("@first", block.FirstSequence)
                                .Bind("@last", block.LastSequence).Bind("@text", block.Text),
                            cancellationToken);
                    }

                    await transaction.ExecuteAsync(forget, command => command.Bind("@chunk", Chunk), cancellationToken);
                    return lines.Count;
                },
                cancellationToken);
            total += taken;
            if (taken == 0)
            {
                return total;
            }
        }
    }

    // Each statement is its own transaction, so an index that catches up over a long queue never holds much at once.
    private async Task<long> IndexWaitingAsync(string indexWaiting, CancellationToken cancellationToken)
    {
        long total = 0;
        while (true)
        {
            var (chunks, lines) = (await database.WriteReturningAsync(
                indexWaiting,
                command => command.Bind("@chunk", Chunk),
                row => (row.GetInt64(0), row.GetInt64(1)),
                cancellationToken))[0];
            total += lines;
            if (chunks == 0)
            {
                return total;
            }
        }
    }

    /// <summary>The line, or the stretch of a long line that shows the first match, at most
    /// <see cref="LogSearchMatch.MaximumTextLength"/> characters, with an ellipsis where it was cut.</summary>
    internal static string Around(string line, string text)
    {
        const int Room = LogSearchMatch.MaximumTextLength;
        if (line.Length <= Room)
        {
            return line;
        }

        var at = Math.Max(0, line.IndexOf(text, StringComparison.OrdinalIgnoreCase));
        var start = Math.Clamp(at - (Room / 5), 0, line.Length - Room);
        if (start > 0 && char.IsLowSurrogate(line[start]))
        {
            start--;
        }

        var length = Math.Min(Room, line.Length - start);
        if (start + length < line.Length && char.IsHighSurrogate(line[start + length - 1]))
        {
            length--;
        }

        return string.Concat(start > 0 ? "…" : "", line.AsSpan(start, length), start + length < line.Length ? "…" : "");
    }

    /// <summary>The text as an FTS5 trigram query: its three-character pieces side by side (and the last three), each
    /// quoted, all required. The index finds lines holding every piece; the query then keeps those holding the text.</summary>
    internal static string TrigramMatch(string text)
    {
        var runes = text.EnumerateRunes().Select(rune => rune.ToString()).ToArray();
        if (runes.Length < 3)
        {
            return Quote(text);
        }

        var pieces = new List<string>();
        for (var i = 0; i + 3 <= runes.Length; i += 3)
        {
            pieces.Add(string.Concat(runes.AsSpan(i, 3)));
        }

        if (runes.Length % 3 != 0)
        {
            pieces.Add(string.Concat(runes.AsSpan(runes.Length - 3, 3)));
        }

        return string.Join(" AND ", pieces.Distinct(StringComparer.Ordinal).Select(Quote));

        static string Quote(string piece) => "\"" + piece.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>The text as a LIKE pattern that finds it anywhere, every wildcard and the escape taken literally.</summary>
    internal static string ContainsPattern(string text) =>
        "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
