namespace Cairn.Cli.Output;

/// <summary>Whether to colour output: only on a terminal, and never when NO_COLOR is set.</summary>
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
}
