using System.CommandLine;
using System.Globalization;
using Cairn.Cli.Commands.Client;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn tracker add plane|list|remove</c>: the issue trackers whose work items start runs. The webhook
/// secret and the API key are read from files (or one of them from stdin), never taken as arguments.</summary>
internal static class TrackerCommand
{
    public static Command Create(CancellationToken cancellation) =>
        new("tracker", "Connect an issue tracker's project to a repository, list the connections, remove one")
        {
            Add(cancellation),
            List(cancellation),
            Remove(cancellation),
        };

    private static Command Add(CancellationToken cancellation)
    {
        var add = new Command("add", "Connect an issue tracker's project to a repository");
        add.Subcommands.Add(AddPlane(cancellation));
        return add;
    }

    private static Command AddPlane(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var workspace = new Option<string>("--workspace") { Description = "The Plane workspace's slug, as in its URLs", Required = true, HelpName = "SLUG" };
        var project = new Option<string>("--project") { Description = "The Plane project's id", Required = true, HelpName = "ID" };
        var repository = new Option<string>("--repo") { Description = "The repository its work items run, as owner/name", Required = true, HelpName = "OWNER/NAME" };
        var apiUrl = new Option<string>("--api-url") { Description = "Plane's address (its API lives under /api/v1/)", Required = true, HelpName = "URL" };
        var secretFile = new Option<string>("--webhook-secret-file") { Description = "A file holding the secret of Plane's webhook; - for stdin", Required = true, HelpName = "FILE" };
        var keyFile = new Option<string>("--api-key-file") { Description = "A file holding a Plane API key; - for stdin", Required = true, HelpName = "FILE" };
        var command = server.AddTo(new Command("plane", "Connect a Plane project: its work items start runs, and their runs comment back")
        {
            workspace, project, repository, apiUrl, secretFile, keyFile,
        });
        command.SetAction(async (parse, _) =>
        {
            var files = new[] { parse.GetValue(secretFile), parse.GetValue(keyFile) };
            if (files.Count(f => f == "-") + (server.TokenFromStdin(parse) ? 1 : 0) > 1)
            {
                await Console.Error.WriteLineAsync("error: only one of --webhook-secret-file, --api-key-file and --token-file can be - (stdin)");
                return ExitCodes.Usage;
            }

            return await server.RunAsync(parse, async (session, cancel) =>
            {
                var errors = new List<string>();
                var secret = await ReadAsync(files[0]!, "the webhook secret", errors, cancel);
                var key = await ReadAsync(files[1]!, "the API key", errors, cancel);
                if (errors.Count > 0)
                {
                    foreach (var error in errors)
                    {
                        await session.Error.WriteLineAsync($"error: {error}");
                    }

                    return ExitCodes.Usage;
                }

                var added = await session.Client.AddTrackerAsync(
                    new AddTrackerRequest("plane", parse.GetValue(workspace)!, parse.GetValue(project)!, parse.GetValue(repository)!, parse.GetValue(apiUrl)!, secret!, key!),
                    cancel);
                await (session.Json
                    ? session.WriteJsonAsync(added.Json)
                    : session.Out.WriteLineAsync(
                        $"added tracker {added.Value.Id}: plane {added.Value.Workspace}/{added.Value.Project} → {added.Value.Repository}\n"
                        + $"set Plane's webhook URL to {added.Value.WebhookUrl} with the same secret (events: work items, comments)"));
                return ExitCodes.Succeeded;
            }, cancellation);
        });
        return command;
    }

    private static Command List(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var command = server.AddTo(new Command("list", "List the trackers connected to repositories you may read"));
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var page = await session.Client.ListTrackersAsync(cancel);
            if (session.Json)
            {
                await session.WriteJsonAsync(page.Json);
            }
            else if (page.Value.Items.Count == 0)
            {
                await session.Out.WriteLineAsync("no trackers yet (add one with cairn tracker add plane)");
            }
            else
            {
                foreach (var tracker in page.Value.Items)
                {
                    await session.Out.WriteLineAsync(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{tracker.Id}  {tracker.Kind}  {tracker.Workspace}/{tracker.Project}  {tracker.Repository}  {tracker.ApiUrl}"));
                }
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command Remove(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var id = new Argument<long>("id") { Description = "The tracker's id (cairn tracker list)" };
        var command = server.AddTo(new Command("remove", "Disconnect a tracker; its queued comments are dropped") { id });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var tracker = parse.GetValue(id);
            await session.Client.RemoveTrackerAsync(tracker, cancel);
            await session.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"removed tracker {tracker}"));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static async Task<string?> ReadAsync(string path, string what, List<string> errors, CancellationToken cancellationToken)
    {
        if (path == "-" && !Console.IsInputRedirected)
        {
            await Console.Error.WriteLineAsync($"reading {what} from stdin (end with Ctrl-D)");
        }

        var (value, error) = await SecretInput.ReadAsync(path, what, Console.In, cancellationToken);
        if (error is not null)
        {
            errors.Add(error);
        }

        return value;
    }
}
