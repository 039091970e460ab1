namespace Cairn.Cli.Output;

/// <summary>Whether to colour output: only on a terminal, and never when NO_COLOR is set; and the writers that keep
/// others' control sequences off the console.</summary>
internal static class Terminal
{
    public enum Stream
    {
        Output,
        Error,
    }

    public static bool SupportsColor(Stream stream)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")) || Environment.GetEnvironmentVariable("TERM") == "dumb")
        {
            return false;
        }

        return stream == Stream.Output ? !Console.IsOutputRedirected : !Console.IsErrorRedirected;
    }

    /// <summary>The console's stdout or stderr as a writer that prints none of the control sequences in what others
    /// wrote (job output, names, a server's messages): colour is kept where colour is shown, nothing else.</summary>
    public static TerminalWriter Writer(Stream stream) =>
        new(stream == Stream.Output ? Console.Out : Console.Error, SupportsColor(stream));
}
