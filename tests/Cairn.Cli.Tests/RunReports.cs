using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Cairn.Cli.Tests;

/// <summary>One row of the summary table <c>cairn run</c> prints at the end.</summary>
internal sealed record TableRow(string Job, string Status, string Duration, string Exit, string Class);

/// <summary>The summary table and the final <c>run N status …</c> line, read back from stdout.</summary>
internal sealed partial record SummaryTable(IReadOnlyList<TableRow> Rows, long RunId, string Status)
{
    public TableRow this[string job] => Rows.SingleOrDefault(r => r.Job == job)
        ?? throw new InvalidOperationException($"no row for job '{job}' in the summary table");

    public static SummaryTable Parse(string stdout)
    {
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var header = lines.FindLastIndex(l => Header().IsMatch(l));
        Assert.True(header >= 0, $"no JOB STATUS DURATION EXIT CLASS header in:\n{stdout}");

        var rows = new List<TableRow>();
        for (var i = header + 1; i < lines.Count; i++)
        {
            if (Final().Match(lines[i]) is { Success: true } final)
            {
                Assert.True(lines.Skip(i + 1).All(string.IsNullOrWhiteSpace), $"output after the final line:\n{stdout}");
                return new SummaryTable(rows, long.Parse(final.Groups["id"].Value, CultureInfo.InvariantCulture), final.Groups["status"].Value);
            }

            // Columns are padded with at least two spaces; a matrix job's name has single spaces only.
            var cells = Columns().Split(lines[i]);
            Assert.True(cells.Length == 5, $"summary row '{lines[i]}' does not have five columns");
            rows.Add(new TableRow(cells[0], cells[1], cells[2], cells[3], cells[4]));
        }

        Assert.Fail($"no final 'run N succeeded|failed|cancelled' line in:\n{stdout}");
        return null!;
    }

    [GeneratedRegex(@"^JOB\s+STATUS\s+DURATION\s+EXIT\s+CLASS$")]
    private static partial Regex Header();

    [GeneratedRegex(@"^run (?<id>\d+) (?<status>succeeded|failed|cancelled)\b")]
    private static partial Regex Final();

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex Columns();
}

/// <summary>One job in the <c>--json</c> summary.</summary>
internal sealed record JsonJob(string Name, string Status, int? ExitCode, string? FailureClass, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? FailureDetail = null);

/// <summary>The single JSON object <c>cairn run --json</c> writes on stdout.</summary>
internal sealed partial record JsonSummary(string Status, IReadOnlyList<JsonJob> Jobs)
{
    public JsonJob this[string name] => Jobs.SingleOrDefault(j => j.Name == name)
        ?? throw new InvalidOperationException($"no job '{name}' in the JSON summary");

    /// <summary>Parses stdout, which must hold the object and nothing else.</summary>
    public static JsonSummary Parse(string stdout)
    {
        Assert.True(stdout.TrimEnd('\n').Split('\n').Length == 1, $"stdout holds more than one line:\n{stdout}");
        using var document = JsonDocument.Parse(stdout);
        var root = document.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal(["status", "jobs"], root.EnumerateObject().Select(p => p.Name));

        var jobs = root.GetProperty("jobs").EnumerateArray().Select(job =>
        {
            Assert.Equal(["name", "status", "exitCode", "failureClass", "failureDetail", "startedAt", "finishedAt"], job.EnumerateObject().Select(p => p.Name));
            return new JsonJob(
                job.GetProperty("name").GetString()!,
                job.GetProperty("status").GetString()!,
                NumberOrNull(job.GetProperty("exitCode")),
                StringOrNull(job.GetProperty("failureClass")),
                Time(job.GetProperty("startedAt")),
                Time(job.GetProperty("finishedAt")),
                StringOrNull(job.GetProperty("failureDetail")));
        }).ToList();

        return new JsonSummary(root.GetProperty("status").GetString()!, jobs);
    }

    private static int? NumberOrNull(JsonElement element)
    {
        Assert.Contains(element.ValueKind, new[] { JsonValueKind.Number, JsonValueKind.Null });
        return element.ValueKind == JsonValueKind.Number ? element.GetInt32() : null;
    }

    private static string? StringOrNull(JsonElement element)
    {
        Assert.Contains(element.ValueKind, new[] { JsonValueKind.String, JsonValueKind.Null });
        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }

    private static DateTimeOffset? Time(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var text = element.GetString()!;
        Assert.Matches(Iso8601(), text);
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")]
    private static partial Regex Iso8601();
}

/// <summary>What every cairn output must be, whatever went wrong.</summary>
internal static partial class CairnOutput
{
    /// <summary>No stack frames, no exception type names, no terminal escapes (output is redirected).</summary>
    public static void AssertClean(CairnResult result)
    {
        foreach (var text in new[] { result.Stdout, result.Stderr })
        {
            Assert.False(text.Contains("   at ", StringComparison.Ordinal), $"a stack trace was printed:\n{result}");
            Assert.False(ExceptionName().IsMatch(text), $"an exception type was named:\n{result}");
            Assert.False(text.Contains('\u001b', StringComparison.Ordinal), $"escape codes in redirected output:\n{result}");
        }
    }

    /// <summary>Nothing a terminal would act on in either stream: no control character but line feeds and tabs.</summary>
    public static void AssertNoControlCharacters(CairnResult result)
    {
        foreach (var (stream, text) in new[] { ("stdout", result.Stdout), ("stderr", result.Stderr) })
        {
            var bad = text.AsSpan().IndexOfAnyExcept(Printable);
            Assert.True(bad < 0, $"{stream} holds U+{(bad < 0 ? 0 : text[bad]):X4} at {bad}:\n{result}");
        }
    }

    private static readonly System.Buffers.SearchValues<char> Printable = System.Buffers.SearchValues.Create(
        [.. Enumerable.Range(0, 0x10000).Select(c => (char)c).Where(c => !char.IsControl(c) || c is '\n' or '\t')]);

    /// <summary>Lines of <paramref name="text"/> that a job printed, without the <c>[job] </c> prefix.</summary>
    public static IReadOnlyList<string> LinesOf(string text, string job) =>
        text.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.StartsWith($"[{job}] ", StringComparison.Ordinal))
            .Select(l => l[(job.Length + 3)..])
            .ToList();

    [GeneratedRegex(@"\b[A-Z]\w*Exception\b")]
    private static partial Regex ExceptionName();
}
