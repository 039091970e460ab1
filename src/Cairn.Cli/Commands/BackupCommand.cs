using System.CommandLine;
using Cairn.Server.Hosting;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn backup</c> and <c>cairn restore</c>: a server's database, master key, admin token and blobs into a
/// folder while it runs, and back into a new data directory. They read <c>--data</c>, <c>--store</c>,
/// <c>--connection</c> and <c>--artifact-store</c> as <c>cairn server</c> does (flags, then CAIRN_* variables, then
/// appsettings.json).</summary>
internal static class BackupCommand
{
    private static readonly string[] StoreKeys = ["Data", "Store", "Connection", "ArtifactStore"];

    public static Command Backup(CancellationToken stopping)
    {
        var output = new Option<string>("--output", "-o") { Description = "The folder to write the backup to: new (or empty), outside the data directory", Required = true, HelpName = "DIR" };
        var pgDump = new Option<string?>("--pg-dump") { Description = "The pg_dump to run for a PostgreSQL store (default: pg_dump on PATH)", HelpName = "PATH" };
        return StoreCommand(
            "backup",
            "Back a server up while it runs: its database (one consistent snapshot), master key, admin token, and the blobs and agent repositories of its data directory",
            [output, pgDump],
            (parse, settings) => async say =>
            {
                var target = Path.GetFullPath(parse.GetValue(output)!);
                var manifest = await ServerBackup.TakeAsync(settings, target, parse.GetValue(pgDump), say, stopping);
                say($"backup written to {target} at {manifest.TakenAt:u}; it holds the master key: keep it where only administrators can read it");
            });
    }

    public static Command Restore(CancellationToken stopping)
    {
        var from = new Option<string>("--from") { Description = "The folder cairn backup wrote", Required = true, HelpName = "DIR" };
        var pgRestore = new Option<string?>("--pg-restore") { Description = "The pg_restore to run for a PostgreSQL store (default: pg_restore on PATH)", HelpName = "PATH" };
        return StoreCommand(
            "restore",
            "Restore a backup into a new data directory (and, for PostgreSQL, an empty database); it never writes over anything",
            [from, pgRestore],
            (parse, settings) => async say =>
            {
                var manifest = await ServerRestore.RestoreAsync(parse.GetValue(from)!, settings, parse.GetValue(pgRestore), say, stopping);
                say($"restored the backup of {manifest.TakenAt:u}; start cairn server with --data {settings.DataDirectory}{(settings.Store == "postgres" ? " --store postgres --connection …" : "")}");
            });
    }

    /// <summary>A command that reads the store's settings as <c>cairn server</c> does, takes options of its own, and does
    /// its work with a way to say what it did.</summary>
    private static Command StoreCommand(
        string name, string description, IEnumerable<Option> own, Func<ParseResult, ServerSettings, Func<Action<string>, Task>> work)
    {
        var options = StoreOptions();
        var command = new Command(name, description);
        foreach (var option in options.Values.Concat<Option>(own))
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, _) =>
        {
            var settings = await SettingsAsync(options, parse);
            return settings is null ? ExitCodes.Usage : await RunAsync($"cairn {name}", work(parse, settings));
        });
        return command;
    }

    private static Dictionary<string, Option<string?>> StoreOptions() =>
        ServerSettings.Names.Where(n => StoreKeys.Contains(n.Key)).ToDictionary(
            n => n.Key,
            n => new Option<string?>(n.Option) { Description = $"As for cairn server (or {n.Variable})" });

    /// <summary>The settings as <c>cairn server</c> would read them; null after saying what is wrong.</summary>
    private static async Task<ServerSettings?> SettingsAsync(Dictionary<string, Option<string?>> options, ParseResult parse)
    {
        var given = options.ToDictionary(o => o.Key, o => parse.GetValue(o.Value));
        var environment = ServerSettings.Names.Select(n => n.Variable).Concat(ArtifactStoreSettings.Ambient.Select(n => n.Variable))
            .ToDictionary(v => v, Environment.GetEnvironmentVariable);
        var configuration = ServerSettings.Compose(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), environment, given);
        var (settings, errors) = ServerSettings.Bind(configuration, Directory.GetCurrentDirectory());
        foreach (var error in errors)
        {
            await Console.Error.WriteLineAsync($"error: {error}");
        }

        return settings;
    }

    private static async Task<int> RunAsync(string name, Func<Action<string>, Task> work)
    {
        try
        {
            await work(line => Console.Out.WriteLine($"{name}: {line}"));
            return ExitCodes.Succeeded;
        }
        catch (BackupException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Cancelled;
        }
    }
}
