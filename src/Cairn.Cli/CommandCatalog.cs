using System.CommandLine;
using System.Runtime.CompilerServices;
using Cairn.Cli.Commands;

namespace Cairn.Cli;

/// <summary>One of cairn's commands: what the root's help says of it (its name, description and argument), and how to
/// build the whole command, options, sub-commands and action, when it is the one asked for.</summary>
internal sealed record TopCommand(string Name, string Description, string? Argument = null, string? Default = null)
{
    /// <summary>The whole command: options, sub-commands and action.</summary>
    public Command Build(SignalEscalation signals) => CommandCatalog.Build(Name, signals);

    /// <summary>The command as the root's help and the parser's errors see it, with nothing behind it: building all of
    /// them fully for every command line is most of what cairn spent before it could answer <c>--help</c>.</summary>
    public Command Outline()
    {
        var command = new Command(Name, Description);
        if (Argument is not null)
        {
            command.Arguments.Add(Default is null ? new Argument<string>(Argument) : new Argument<string>(Argument) { DefaultValueFactory = _ => Default });
        }

        return command;
    }
}

/// <summary>Every command of <c>cairn</c>, in the order its help lists them. The descriptions are the commands' own
/// (a test compares each outline, and the root's help, with the built command).</summary>
internal static class CommandCatalog
{
    public const string RootDescription = "Cairn: pipelines as code, run on this machine or on a Cairn server";

    public static readonly TopCommand[] All =
    [
        new("validate", "Check a pipeline and report every error with its line and column", "path", "."),
        new("pod-spec", "Print the Pod and Secret a job would run as on a kubernetes runner", "path", "."),
        new("run", "Run a pipeline on this machine", "path", "."),
        new("worker", "Run jobs from a shared store, or from a Cairn server (--server), until stopped (SIGINT/SIGTERM)"),
        new("server", "Serve the API and webhooks, plan and run pipelines, report commit statuses (until SIGINT/SIGTERM)"),
        new("schema", "Print the JSON Schema of .cairn.yml (point an editor's YAML support at it)"),
        new("repo", "Add, change, list and remove the repositories a Cairn server builds"),
        new("tracker", "Connect an issue tracker's project to a repository, list the connections, remove one"),
        new("trigger", "Start a run of a repository's pipeline on the server", "owner/repo"),
        new("runs", "List the server's runs, newest first"),
        new("show", "Show a run: its jobs, their steps, and why they failed", "run"),
        new("cancel", "Cancel a run that has not ended", "run"),
        new("approve", "Start a run that waits for approval (a pull request from a fork), or with --job approve its approval job", "run"),
        new("reject", "End a run that waits for approval, as cancelled, or with --job reject its approval job", "run"),
        new("rerun", "Run a finished run again, as a new run", "run"),
        new("logs", "Print a job's log, or follow it live with --follow", "run"),
        new("artifacts", "List what a run's jobs kept: files, size and when they expire; download them", "run"),
        new("events", "List the webhook deliveries and other triggers the server received, newest first"),
        new("secret", "Set, list and remove the secrets a Cairn server gives to jobs that declare them"),
        new("audit", "List the audit log, newest first: who changed what, when, from where, and which job read which secret"),
        new("user", "Add, list, change and remove the users of a Cairn server (for admins)"),
        new("whoami", "Show who the server takes you for: your name, role, groups and how you signed in"),
        new("member", "Grant, list and remove users' roles on a repository (for its maintainers)"),
        new("team", "Grant, list and remove roles on a repository to groups of the identity provider (for its maintainers)"),
        new("token", "Create, list and revoke API tokens"),
        new("workers", "Add, list, pause, resume and remove the workers that run jobs over HTTP (for admins)"),
        new("backup", "Back a server up while it runs: its database (one consistent snapshot), master key, admin token, and the blobs and agent repositories of its data directory"),
        new("restore", "Restore a backup into a new data directory (and, for PostgreSQL, an empty database); it never writes over anything"),
    ];

    /// <summary>The commands the native program runs itself; it hands every other one to the managed program beside it
    /// (<see cref="ManagedProgram"/>). They are the ones a laptop runs often and that need nothing the native build
    /// cannot hold: reading a pipeline and running it here.</summary>
    public static readonly string[] Native = ["validate", "run", "schema"];

    /// <summary>Builds the command named <paramref name="name"/>. Only <see cref="Native"/>'s are reachable in the
    /// native build: the check of <see cref="RuntimeFeature.IsDynamicCodeSupported"/> is a constant there, so the
    /// compiler leaves the other commands, and the server behind them, out of the binary.</summary>
    public static Command Build(string name, SignalEscalation s)
    {
        switch (name)
        {
            case "validate":
                return ValidateCommand.Create();
            case "run":
                return RunCommand.Create(s.Cancel, s.Kill);
            case "schema":
                return SchemaCommand.Create();
        }

        if (!RuntimeFeature.IsDynamicCodeSupported)
        {
            throw new InvalidOperationException($"'{name}' is not built into this program; the managed program runs it.");
        }

        return BuildManaged(name, s);
    }

    private static Command BuildManaged(string name, SignalEscalation s) => name switch
    {
        "pod-spec" => PodSpecCommand.Create(),
        "worker" => WorkerCommand.Create(s.Cancel, s.Kill),
        "server" => ServerCommand.Create(s.Cancel, s.Kill),
        "repo" => RepoCommand.Create(s.Cancel),
        "tracker" => TrackerCommand.Create(s.Cancel),
        "trigger" => TriggerCommand.Create(s.Cancel),
        "runs" => RunsCommand.Create(s.Cancel),
        "show" => ShowCommand.Create(s.Cancel),
        "cancel" => CancelCommand.Create(s.Cancel),
        "approve" => ApprovalCommands.Approve(s.Cancel),
        "reject" => ApprovalCommands.Reject(s.Cancel),
        "rerun" => RerunCommand.Create(s.Cancel),
        "logs" => LogsCommand.Create(s.Cancel),
        "artifacts" => ArtifactsCommand.Create(s.Cancel),
        "events" => EventsCommand.Create(s.Cancel),
        "secret" => SecretCommand.Create(s.Cancel),
        "audit" => AuditCommand.Create(s.Cancel),
        "user" => UserCommand.Create(s.Cancel),
        "whoami" => UserCommand.WhoAmI(s.Cancel),
        "member" => MemberCommand.Members(s.Cancel),
        "team" => MemberCommand.Teams(s.Cancel),
        "token" => TokenCommand.Create(s.Cancel),
        "workers" => WorkersCommand.Create(s.Cancel),
        "backup" => BackupCommand.Backup(s.Cancel),
        "restore" => BackupCommand.Restore(s.Cancel),
        _ => throw new ArgumentException($"no command '{name}'", nameof(name)),
    };

    /// <summary>The root for this command line: the command it names is built, every other one is an outline. A
    /// command line the parser reads more into than words and flags (a response file <c>@FILE</c>, a directive
    /// <c>[…]</c>) gets every command built, as before.</summary>
    public static RootCommand For(string[] args, SignalEscalation signals) => Root(Wanted(args), signals);

    /// <summary>Every command built, as the parser saw them before outlines.</summary>
    public static RootCommand Full(SignalEscalation signals) => Root(null, signals);

    private static RootCommand Root(string? wanted, SignalEscalation signals)
    {
        var root = new RootCommand(RootDescription);
        foreach (var command in All)
        {
            root.Subcommands.Add(wanted is null || wanted == command.Name ? command.Build(signals) : command.Outline());
        }

        return root;
    }

    /// <summary>The name of the command the line asks for ("" when it names none), or null when every command must be
    /// built. The root's own options (<c>--help</c>, <c>--version</c>) take no value, so the first word that is not one
    /// of them is the command.</summary>
    public static string? Wanted(string[] args)
    {
        foreach (var arg in args)
        {
            if (arg.StartsWith('@') || arg.StartsWith('['))
            {
                return null;
            }

            if (!arg.StartsWith('-'))
            {
                return arg;
            }
        }

        return "";
    }
}
