using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.Server.Api;

/// <summary>A search of a job's log: a regular expression run without backtracking (its time grows with the text, never
/// with the pattern's tricks), matched against each line as a person reads it, with its colour codes taken out.</summary>
internal sealed class LogSearch
{
    /// <summary>A longer pattern is refused: building the automaton of a huge one is itself work a request should not buy.</summary>
    public const int MaxPatternLength = 1_000;

    private readonly Regex _regex;

    private LogSearch(Regex regex) => _regex = regex;

    public static bool TryCompile(string pattern, out LogSearch? search, out string? why)
    {
        search = null;
        why = null;
        if (pattern.Length == 0)
        {
            why = "the pattern is empty";
            return false;
        }

        if (pattern.Length > MaxPatternLength)
        {
            why = $"the pattern is {pattern.Length} characters long; at most {MaxPatternLength} are searched for";
            return false;
        }

        try
        {
            search = new LogSearch(new Regex(pattern, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2)));
            return true;
        }
        catch (ArgumentException ex)
        {
            why = $"'{pattern}' is not a regular expression: {ex.Message}";
        }
        catch (NotSupportedException ex)
        {
            why = $"'{pattern}' uses what a search without backtracking cannot do (back-references, look-arounds, atomic groups): {ex.Message}";
        }

        return false;
    }

    public bool Matches(string text)
    {
        try
        {
            return _regex.IsMatch(text.Contains('\u001b', StringComparison.Ordinal) ? WithoutEscapes(text) : text);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>The text without its escape sequences (CSI such as colours, OSC such as titles and links, and two-byte
    /// ones), as a terminal shows it.</summary>
    internal static string WithoutEscapes(string text)
    {
        var plain = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '\u001b')
            {
                plain.Append(text[i++]);
                continue;
            }

            i++;
            if (i >= text.Length)
            {
                break;
            }

            if (text[i] == '[')
            {
                // Parameters and intermediates, then one final byte from @ to ~.
                i++;
                while (i < text.Length && text[i] is < '@' or > '~')
                {
                    i++;
                }

                i++;
            }
            else if (text[i] == ']')
            {
                // Ends at BEL or at ESC \.
                while (i < text.Length && text[i] != '\u0007' && !(text[i] == '\u001b' && i + 1 < text.Length && text[i + 1] == '\\'))
                {
                    i++;
                }

                i += i < text.Length && text[i] == '\u001b' ? 2 : 1;
            }
            else
            {
                i++;
            }
        }

        return plain.ToString();
    }
}
