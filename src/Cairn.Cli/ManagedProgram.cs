using System.Runtime.CompilerServices;

namespace Cairn.Cli;

/// <summary>How the native build of <c>cairn</c> runs the commands it leaves out (the server, the workers, the client
/// commands: everything but <see cref="CommandCatalog.Native"/>'s). The native build is published with the managed
/// program in <c>lib/</c> beside it, and replaces itself with that program (<c>execv</c>) for any other command: same
/// arguments, environment, standard streams and process id, so signals, exit codes and a service manager's view of the
/// process are what they would be had the managed program been started directly.</summary>
internal static class ManagedProgram
{
    /// <summary>The managed program's folder, beside the native program.</summary>
    public const string Folder = "lib";

    /// <summary>True when this is the native build and the command line names a command it does not hold (or asks
    /// the parser for more than words and flags, a response file or a directive, which may name any command).</summary>
    public static bool IsFor(string[] args)
    {
        if (RuntimeFeature.IsDynamicCodeSupported)
        {
            return false;
        }

        var wanted = CommandCatalog.Wanted(args);
        return wanted is null || (!CommandCatalog.Native.Contains(wanted) && Array.Exists(CommandCatalog.All, c => c.Name == wanted));
    }

    /// <summary>The managed program this native one hands commands to.</summary>
    public static string PathBeside(string directory) => Path.Combine(directory, Folder, "cairn");

    /// <summary>Replaces this process with the managed program. Returns only when that could not be done, having said
    /// why on <paramref name="error"/>.</summary>
    public static int Exec(string[] args, TextWriter error)
    {
        var program = PathBeside(AppContext.BaseDirectory);
        var reason = ProcessImage.Replace(program, [program, .. args]);
        error.WriteLine($"error: '{CommandCatalog.Wanted(args) ?? string.Join(' ', args)}' is run by the managed program {program}, which could not be started: {reason}. Publish cairn again (see docs/operations.md, \"Installing\").");
        return ExitCodes.Failed;
    }
}
