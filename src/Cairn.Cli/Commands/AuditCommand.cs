using System.CommandLine;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn audit</c>: the audit log, newest first: every change made through the API, the CLI or the dashboard
/// (who, with which token, to what, from where, how it ended) and which run and job read which secret (never a value);
/// filtered by <c>--actor</c>, <c>--action</c> and <c>--repo</c>.</summary>
internal static class AuditCommand
{
    public static Command Create(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var limit = ServerArguments.Limit(20);
        var cursor = ServerArguments.Cursor();
        var actor = new Option<string?>("--actor") { Description = "Only what this user did", HelpName = "USER" };
        var action = new Option<string?>("--action")
        {
            Description = "Only this action (repo.added, created, deleted, read, run.triggered, approve, sign-in…)",
            HelpName = "ACTION",
        };
        var repository = ServerArguments.RepositoryFilter("Only what was done to this repository");
        var command = server.AddTo(new Command("audit", "List the audit log, newest first: who changed what, when, from where, and which job read which secret")
        {
            actor, action, repository, limit, cursor,
        });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var filters = (Actor: parse.GetValue(actor), Action: parse.GetValue(action), Repository: parse.GetValue(repository));
            var page = await session.Client.ListAuditAsync(
                parse.GetValue(cursor), parse.GetValue(limit), cancel, filters.Actor, filters.Action, filters.Repository);
            if (session.Json)
            {
                await session.WriteJsonAsync(page.Json);
            }
            else if (page.Value.Items.Count == 0)
            {
                await session.Out.WriteLineAsync(
                    filters is (null, null, null) ? "nothing in the audit log yet" : "nothing in the audit log matches");
            }
            else
            {
                await session.Out.WriteLineAsync(AuditViews.Table(page.Value.Items, session.Time.GetUtcNow(), session.Color));
                if (page.Value.Next is { } next)
                {
                    await session.Out.WriteLineAsync($"more: cairn audit{Again(filters)} --cursor {next}");
                }
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    /// <summary>The filters as options to give again, so that the next page is of the same list.</summary>
    private static string Again((string? Actor, string? Action, string? Repository) filters) =>
        string.Concat(new[] { ("--actor", filters.Actor), ("--action", filters.Action), ("--repo", filters.Repository) }
            .Where(f => f.Item2 is not null)
            .Select(f => $" {f.Item1} {Quote(f.Item2!)}"));

    private static string Quote(string value) => value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '/' or '_' or '@') ? value : $"'{value.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
