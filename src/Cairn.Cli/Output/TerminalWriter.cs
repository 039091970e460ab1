using System.Text;

namespace Cairn.Cli.Output;

/// <summary>A writer that passes everything through <see cref="TerminalText.Clean"/> before it reaches the console:
/// the one door through which text from servers and jobs is printed. Each write is cleaned on its own, so a sequence
/// cannot be assembled from pieces: an unfinished one at the end of a write is dropped.</summary>
internal sealed class TerminalWriter(TextWriter inner, bool keepColour) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => inner.NewLine;
        set => inner.NewLine = value;
    }

    /// <summary>Whether colour sequences are kept: on a terminal that takes colour, and never when output is redirected.</summary>
    public bool KeepsColour => keepColour;

    public override void Write(char value)
    {
        if (!char.IsControl(value) || value is '\t' or '\n')
        {
            inner.Write(value);
        }
    }

    public override void Write(string? value) => inner.Write(TerminalText.Clean(value, keepColour));

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine() => inner.WriteLine();

    public override void WriteLine(string? value) => inner.WriteLine(TerminalText.Clean(value, keepColour));

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value) => inner.WriteAsync(TerminalText.Clean(value, keepColour));

    public override Task WriteAsync(char[] buffer, int index, int count) => WriteAsync(new string(buffer, index, count));

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(TerminalText.Clean(buffer.ToString(), keepColour).AsMemory(), cancellationToken);

    public override Task WriteLineAsync() => inner.WriteLineAsync();

    public override Task WriteLineAsync(string? value) => inner.WriteLineAsync(TerminalText.Clean(value, keepColour));

    public override Task WriteLineAsync(char[] buffer, int index, int count) => WriteLineAsync(new string(buffer, index, count));

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteLineAsync(TerminalText.Clean(buffer.ToString(), keepColour).AsMemory(), cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync() => inner.FlushAsync();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
}
