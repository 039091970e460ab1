using System.Globalization;
using Cairn.Cli.Commands.Client;

namespace Cairn.Cli.Output;

/// <summary>The audit log as a table: when, what, on which secret, repository, run and job, by whom (and with which
/// token), and what was said; then, when the server says them, the target, the outcome and the client's address.</summary>
internal static class AuditViews
{
    public static string Table(IReadOnlyList<AuditView> entries, DateTimeOffset now, bool color)
    {
        // The last columns are there only when some entry has them, so an older server's log reads as it always did.
        var target = entries.Any(e => e.Target is not null);
        var outcome = entries.Any(e => e.Outcome is not null);
        var address = entries.Any(e => e.ClientAddress is not null);
        var headers = new List<string> { "ID", "WHEN", "ACTION", "SECRET", "REPOSITORY", "RUN", "JOB", "BY", "DETAIL" };
        AddIf(headers, target, "TARGET");
        AddIf(headers, outcome, "OUTCOME");
        AddIf(headers, address, "FROM");
        var table = new TextTable([.. headers]);
        foreach (var entry in entries)
        {
            var cells = new List<string>
            {
                Number(entry.Id),
                ServerViews.Age(entry.At, now),
                entry.Action,
                entry.Secret ?? "-",
                entry.Repository ?? (entry.Secret is null ? "-" : "global"),
                entry.RunId is { } run ? Number(run) : "-",
                entry.JobId is { } job ? Number(job) : "-",
                By(entry),
                entry.Detail ?? "",
            };
            AddIf(cells, target, entry.Target ?? "-");
            AddIf(cells, outcome, entry.Outcome ?? "-");
            AddIf(cells, address, entry.ClientAddress ?? "-");
            table.Add(Color(entry), [.. cells]);
        }

        return table.Render(color);
    }

    /// <summary>Who acted, and with which token when they used one.</summary>
    private static string By(AuditView entry) => (entry.Actor, entry.TokenName) switch
    {
        (null, _) => "-",
        ({ } actor, null) => actor,
        ({ } actor, { } token) => $"{actor} ({token})",
    };

    /// <summary>Reads dim, changes bold, what failed or was denied red.</summary>
    private static string? Color(AuditView entry) => entry switch
    {
        { Outcome: "failed" or "denied" } => "31",
        { Action: "read" } => null,
        _ => "2",
    };

    private static void AddIf(List<string> row, bool wanted, string cell)
    {
        if (wanted)
        {
            row.Add(cell);
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
