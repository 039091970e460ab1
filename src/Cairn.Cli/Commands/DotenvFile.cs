using System.Text;
using Cairn.Core.Secrets;

namespace Cairn.Cli.Commands;

/// <summary>Reads a dotenv file (<c>cairn run --secrets-file</c>): <c>KEY=VALUE</c> lines, blank lines and <c>#</c>
/// comments, an optional <c>export </c> before a key, values bare (a <c>#</c> after a space starts a comment), in single
/// quotes (as written) or in double quotes (with <c>\n</c>, <c>\t</c>, <c>\"</c> and <c>\\</c> escapes). A key given
/// twice keeps its last value. Every error names the file and line, and never shows a value.</summary>
internal static class DotenvFile
{
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(string path, List<string> errors, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"cannot read secrets from {path}: {ex.Message}");
            return new Dictionary<string, string>();
        }

        return Parse(text, path, errors);
    }

    public static IReadOnlyDictionary<string, string> Parse(string text, string path, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var (key, value, error) = ParseLine(line);
            if (error is not null)
            {
                errors.Add($"{path}:{i + 1}: {error}");
                continue;
            }

            values[key!] = value!;
        }

        return values;
    }

    private static (string? Key, string? Value, string? Error) ParseLine(string line)
    {
        if (line.StartsWith("export ", StringComparison.Ordinal))
        {
            line = line["export ".Length..].TrimStart();
        }

        var equals = line.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            return (null, null, "the line is neither KEY=VALUE nor a # comment");
        }

        var key = line[..equals].TrimEnd();
        if (SecretRules.NameError(key) is { } badKey)
        {
            return (null, null, badKey);
        }

        var rest = line[(equals + 1)..].TrimStart();
        if (rest.Length == 0)
        {
            return (key, "", null);
        }

        return rest[0] switch
        {
            '"' => DoubleQuoted(key, rest),
            '\'' => SingleQuoted(key, rest),
            _ => (key, Bare(rest), null),
        };
    }

    // A bare value ends at a '#' that follows a space (a comment), and loses the spaces around it.
    private static string Bare(string rest)
    {
        var comment = rest.IndexOf(" #", StringComparison.Ordinal);
        var tab = rest.IndexOf("\t#", StringComparison.Ordinal);
        var end = comment < 0 ? tab : tab < 0 ? comment : Math.Min(comment, tab);
        return (end < 0 ? rest : rest[..end]).TrimEnd();
    }

    private static (string?, string?, string?) SingleQuoted(string key, string rest)
    {
        var close = rest.IndexOf('\'', 1);
        if (close < 0)
        {
            return (null, null, $"the value of {key} opens a single quote and never closes it");
        }

        return OnlyCommentAfter(rest[(close + 1)..])
            ? (key, rest[1..close], null)
            : (null, null, $"the value of {key} goes on after its closing quote");
    }

    private static (string?, string?, string?) DoubleQuoted(string key, string rest)
    {
        var value = new StringBuilder();
        for (var i = 1; i < rest.Length; i++)
        {
            var c = rest[i];
            if (c == '"')
            {
                return OnlyCommentAfter(rest[(i + 1)..])
                    ? (key, value.ToString(), null)
                    : (null, null, $"the value of {key} goes on after its closing quote");
            }

            if (c == '\\' && i + 1 < rest.Length)
            {
                i++;
                value.Append(rest[i] switch
                {
                    'n' => "\n",
                    'r' => "\r",
                    't' => "\t",
                    '"' => "\"",
                    '\\' => "\\",
                    var other => "\\" + other,
                });
                continue;
            }

            value.Append(c);
        }

        return (null, null, $"the value of {key} opens a double quote and never closes it");
    }

    private static bool OnlyCommentAfter(string after)
    {
        var trimmed = after.TrimStart();
        return trimmed.Length == 0 || trimmed[0] == '#';
    }
}
