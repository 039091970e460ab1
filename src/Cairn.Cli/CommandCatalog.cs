using System.CommandLine;
using Cairn.Cli.Commands;

namespace Cairn.Cli;

/// <summary>One of cairn's commands: what the root's help says of it (its name, description and argument), and how to
/// build the whole command, options, sub-commands and action, when it is the one asked for.</summary>
internal sealed record TopCommand(string Name, string Description, Func<SignalEscalation, Command> Build, string? Argument = null, string? Default = null)
{
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
        new("validate", "Check a pipeline and report every error with its line and column", _ => ValidateCommand.Create(), "path", "."),
        new("pod-spec", "Print the Pod and Secret a job would run as on a kubernetes runner", _ => PodSpecCommand.Create(), "path", "."),
        new("run", "Run a pipeline on this machine", s => RunCommand.Create(s.Cancel, s.Kill), "path", "."),
        new("worker", "Run jobs from a shared store, or from a Cairn server (--server), until stopped (SIGINT/SIGTERM)", s => WorkerCommand.Create(s.Cancel, s.Kill)),
        new("server", "Serve the API and webhooks, plan and run pipelines, report commit statuses (until SIGINT/SIGTERM)", s => ServerCommand.Create(s.Cancel, s.Kill)),
        new("schema", "Print the JSON Schema of .cairn.yml (point an editor's YAML support at it)", _ => SchemaCommand.Create()),
        new("repo", "Add, change, list and remove the repositories a Cairn server builds", s => RepoCommand.Create(s.Cancel)),
        new("tracker", "Connect an issue tracker's project to a repository, list the connections, remove one", s => TrackerCommand.Create(s.Cancel)),
        new("trigger", "Start a run of a repository's pipeline on the server", s => TriggerCommand.Create(s.Cancel), "owner/repo"),
        new("runs", "List the server's runs, newest first", s => RunsCommand.Create(s.Cancel)),
        new("show", "Show a run: its jobs, their steps, and why they failed", s => ShowCommand.Create(s.Cancel), "run"),
        new("cancel", "Cancel a run that has not ended", s => CancelCommand.Create(s.Cancel), "run"),
        new("approve", "Start a run that waits for approval (a pull request from a fork), or with --job approve its approval job", s => ApprovalCommands.Approve(s.Cancel), "run"),
        new("reject", "End a run that waits for approval, as cancelled, or with --job reject its approval job", s => ApprovalCommands.Reject(s.Cancel), "run"),
        new("rerun", "Run a finished run again, as a new run", s => RerunCommand.Create(s.Cancel), "run"),
        new("logs", "Print a job's log, or follow it live with --follow", s => LogsCommand.Create(s.Cancel), "run"),
        new("artifacts", "List what a run's jobs kept: files, size and when they expire; download them", s => ArtifactsCommand.Create(s.Cancel), "run"),
        new("events", "List the webhook deliveries and other triggers the server received, newest first", s => EventsCommand.Create(s.Cancel)),
        new("secret", "Set, list and remove the secrets a Cairn server gives to jobs that declare them", s => SecretCommand.Create(s.Cancel)),
        new("audit", "List the audit log, newest first: who changed what, when, from where, and which job read which secret", s => AuditCommand.Create(s.Cancel)),
        new("user", "Add, list, change and remove the users of a Cairn server (for admins)", s => UserCommand.Create(s.Cancel)),
        new("whoami", "Show who the server takes you for: your name, role, groups and how you signed in", s => UserCommand.WhoAmI(s.Cancel)),
        new("member", "Grant, list and remove users' roles on a repository (for its maintainers)", s => MemberCommand.Members(s.Cancel)),
        new("team", "Grant, list and remove roles on a repository to groups of the identity provider (for its maintainers)", s => MemberCommand.Teams(s.Cancel)),
        new("token", "Create, list and revoke API tokens", s => TokenCommand.Create(s.Cancel)),
        new("workers", "Add, list, pause, resume and remove the workers that run jobs over HTTP (for admins)", s => WorkersCommand.Create(s.Cancel)),
        new("backup", "Back a server up while it runs: its database (one consistent snapshot), master key, admin token, and the blobs and agent repositories of its data directory", s => BackupCommand.Backup(s.Cancel)),
        new("restore", "Restore a backup into a new data directory (and, for PostgreSQL, an empty database); it never writes over anything", s => BackupCommand.Restore(s.Cancel)),
    ];

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
    private static string? Wanted(string[] args)
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
