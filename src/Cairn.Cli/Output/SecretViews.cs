using System.Globalization;
using Cairn.Cli.Commands.Client;

namespace Cairn.Cli.Output;

/// <summary>Secrets and the audit log as tables: names, scopes, times, who read what and who approved or rejected which
/// run; there are no values to show.</summary>
internal static class SecretViews
{
    public static string Secrets(IReadOnlyList<SecretView> secrets, DateTimeOffset now, bool color)
    {
        var table = new TextTable("NAME", "SCOPE", "UPDATED");
        foreach (var secret in secrets)
        {
            table.Add(null, secret.Name, secret.Scope ?? "global", ServerViews.Age(secret.UpdatedAt, now));
        }

        return table.Render(color);
    }

    public static string Audit(IReadOnlyList<AuditView> entries, DateTimeOffset now, bool color)
    {
        var table = new TextTable("ID", "WHEN", "ACTION", "SECRET", "REPOSITORY", "RUN", "JOB", "BY", "DETAIL");
        foreach (var entry in entries)
        {
            table.Add(
                entry.Action == "read" ? null : "2",
                Number(entry.Id),
                ServerViews.Age(entry.At, now),
                entry.Action,
                entry.Secret ?? "-",
                entry.Repository ?? (entry.Secret is null ? "-" : "global"),
                entry.RunId is { } run ? Number(run) : "-",
                entry.JobId is { } job ? Number(job) : "-",
                entry.Actor ?? "-",
                entry.Detail ?? "");
        }

        return table.Render(color);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
