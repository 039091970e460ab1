using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Cairn.Core.Runs;

namespace Cairn.Cli.Output;

/// <summary>The end of a local run: a table for people, or one JSON object for programs.</summary>
internal static class RunSummary
{
    public static string Table(RunRecord run, IReadOnlyList<JobRecord> jobs, bool color)
    {
        string[] header = ["JOB", "STATUS", "DURATION", "EXIT", "CLASS"];
        var rows = jobs.Select(j => new[]
        {
            j.Name,
            j.Status.ToWire(),
            j is { StartedAt: { } s, FinishedAt: { } f } ? Durations.Short(f - s) : "-",
            j.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-",
            j.FailureClass?.ToWire() ?? "-",
        }).ToList();

        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        text.AppendLine(Row(header, widths).TrimEnd());
        foreach (var (row, job) in rows.Zip(jobs))
        {
            var line = Row(row, widths).TrimEnd();
            text.AppendLine(color ? $"\u001b[{StatusColor(job.Status)}m{line}\u001b[0m" : line);
        }

        var took = run.FinishedAt is { } end ? $" in {Durations.Short(end - run.CreatedAt)}" : "";
        text.Append(CultureInfo.InvariantCulture, $"run {run.Id} {run.Status.ToWire()}{took}");
        return text.ToString();
    }

    public static string Json(RunRecord run, IReadOnlyList<JobRecord> jobs)
    {
        using var buffer = new MemoryStream();

        // Failure details quote names ('xl'); the summary goes to scripts and people, never into HTML, so quotes stay quotes.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("status", run.Status.ToWire());
            json.WriteStartArray("jobs");
            foreach (var job in jobs)
            {
                var ran = job.Status != JobStatus.Skipped;
                json.WriteStartObject();
                json.WriteString("name", job.Name);
                json.WriteString("status", job.Status.ToWire());
                WriteNumberOrNull(json, "exitCode", ran ? job.ExitCode : null);
                json.WriteString("failureClass", job.FailureClass?.ToWire());
                json.WriteString("failureDetail", ran ? job.FailureDetail : null);
                WriteTimeOrNull(json, "startedAt", ran ? job.StartedAt : null);
                WriteTimeOrNull(json, "finishedAt", ran ? job.FinishedAt : null);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteTimeOrNull(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            json.WriteString(name, v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Row(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i])));

    private static string StatusColor(JobStatus status) => status switch
    {
        JobStatus.Succeeded => "32",
        JobStatus.Failed => "31",
        JobStatus.Cancelled => "33",
        _ => "2",
    };
}
