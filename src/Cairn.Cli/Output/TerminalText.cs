using System.Buffers;
using System.Text;

namespace Cairn.Cli.Output;

/// <summary>Makes text that others wrote (job output, job and step names, a server's messages) safe to print: a terminal
/// acts on escape and control sequences, so a pipeline author could set the window title, clear or overwrite lines,
/// move the cursor, or hide what an operator would otherwise read. Only colour (SGR, <c>ESC [ … m</c> with digits,
/// <c>;</c> and <c>:</c>) is kept, and only for a terminal; every other escape sequence, C0 control but tab and line
/// feed, and C1 control is dropped. A CR before LF is dropped with the LF kept; a lone CR is dropped, so a line cannot
/// be written over. Every line is read on its own: a sequence left unfinished at the end of one ends there.</summary>
internal static class TerminalText
{
    private const char Escape = '\u001b';
    private const char Bell = '\u0007';
    private const char StringTerminator = '\u009c';

    // Every control character but tab and line feed: C0, DEL and C1.
    private static readonly SearchValues<char> Dropped = SearchValues.Create(
        [.. Enumerable.Range(0, 0xa0).Select(c => (char)c).Where(c => char.IsControl(c) && c is not ('\t' or '\n'))]);

    /// <summary>The text without anything a terminal would act on; with <paramref name="keepColour"/> its colour
    /// sequences stay. Text with nothing to drop comes back as the same string.</summary>
    public static string Clean(string? text, bool keepColour)
    {
        if (string.IsNullOrEmpty(text) || text.AsSpan().IndexOfAny(Dropped) < 0)
        {
            return text ?? "";
        }

        var clean = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is '\t' or '\n')
            {
                clean.Append(c);
                i++;
            }
            else if (c == Escape)
            {
                i = SkipEscape(text, i, keepColour ? clean : null);
            }
            else if (c == '\u009b')
            {
                i = SkipControlSequence(text, i + 1, null, 0);
            }
            else if (c is '\u0090' or '\u0098' or '\u009d' or '\u009e' or '\u009f')
            {
                i = SkipString(text, i + 1);
            }
            else if (char.IsControl(c))
            {
                // CR (lone, or before LF), BS, BEL, DEL, the other C0 and C1 controls.
                i++;
            }
            else
            {
                clean.Append(c);
                i++;
            }
        }

        return clean.ToString();
    }

    /// <summary>Skips the sequence at <paramref name="start"/> (an ESC); an SGR is copied to <paramref name="colour"/>
    /// when given. Returns where the text goes on.</summary>
    private static int SkipEscape(string text, int start, StringBuilder? colour)
    {
        var next = start + 1;
        if (next >= text.Length)
        {
            return next;
        }

        return text[next] switch
        {
            '[' => SkipControlSequence(text, next + 1, colour, start),
            ']' or 'P' or 'X' or '^' or '_' => SkipString(text, next + 1),
            _ => SkipShortEscape(text, next),
        };
    }

    /// <summary>CSI: parameter bytes (0x30–0x3F), intermediate bytes (0x20–0x2F), one final byte (0x40–0x7E). An
    /// unfinished one is dropped up to where it stops.</summary>
    private static int SkipControlSequence(string text, int body, StringBuilder? colour, int start)
    {
        var i = body;
        while (i < text.Length && text[i] is >= '\u0030' and <= '\u003f')
        {
            i++;
        }

        var parametersEnd = i;
        while (i < text.Length && text[i] is >= '\u0020' and <= '\u002f')
        {
            i++;
        }

        if (i >= text.Length || text[i] is not (>= '\u0040' and <= '\u007e'))
        {
            return i;
        }

        var isColour = text[i] == 'm' && parametersEnd == i && IsColourParameters(text.AsSpan(body, parametersEnd - body));
        if (isColour && colour is not null)
        {
            colour.Append(text, start, i + 1 - start);
        }

        return i + 1;
    }

    private static bool IsColourParameters(ReadOnlySpan<char> parameters)
    {
        foreach (var c in parameters)
        {
            if (!char.IsAsciiDigit(c) && c is not (';' or ':'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>OSC, DCS, SOS, PM, APC: a string up to ST (<c>ESC \</c> or 0x9C) or BEL. One left unfinished ends with
    /// its line here (a terminal would swallow the lines after it too), so it cannot hide what follows.</summary>
    private static int SkipString(string text, int body)
    {
        for (var i = body; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                return i;
            }

            if (text[i] is Bell or StringTerminator)
            {
                return i + 1;
            }

            if (text[i] == Escape && i + 1 < text.Length && text[i + 1] == '\\')
            {
                return i + 2;
            }
        }

        return text.Length;
    }

    /// <summary>Any other escape: intermediate bytes (0x20–0x2F) and one final byte (0x30–0x7E), as <c>ESC 7</c>,
    /// <c>ESC c</c>, <c>ESC ( B</c>. What does not fit is left to be read as text (or dropped, if a control).</summary>
    private static int SkipShortEscape(string text, int next)
    {
        var i = next;
        while (i < text.Length && text[i] is >= '\u0020' and <= '\u002f')
        {
            i++;
        }

        return i < text.Length && text[i] is >= '\u0030' and <= '\u007e' ? i + 1 : i;
    }
}
