using System.Globalization;
using System.Text;

namespace Cairn.Core.Repositories;

/// <summary>The rule for a repository's full name, checked by the server before it stores one and by the CLI before it
/// sends one: <c>owner/repo</c>, or a GitLab project path with subgroups (<c>group/sub/project</c>); each part between
/// slashes made of letters, digits, <c>.</c>, <c>-</c> and <c>_</c>, and never <c>.</c> or <c>..</c>. A name is part
/// of URL paths (<c>/api/v1/repos/owner/repo</c>), so one that a path would resolve differently could be added and
/// never reached again.</summary>
public static class RepositoryName
{
    /// <summary>The longest full name taken: GitHub's longest owner and repository names together with room to spare,
    /// and deep GitLab subgroups.</summary>
    public const int MaxLength = 256;

    /// <summary>Null when <paramref name="name"/> is a full name; otherwise the rule it breaks, as a sentence that
    /// quotes it (control characters escaped).</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a repository's full name is needed (owner/repo)";
        }

        var quoted = Quote(name);
        if (name.Length > MaxLength)
        {
            return $"{Quote(name[..40])}… is {name.Length} characters long; a repository's full name has at most {MaxLength}";
        }

        if (name.Any(char.IsControl))
        {
            return $"{quoted} holds a control character; a repository's full name cannot";
        }

        if (name.Any(char.IsWhiteSpace))
        {
            return $"{quoted} holds whitespace; a repository's full name cannot";
        }

        if (name.Contains('\\', StringComparison.Ordinal))
        {
            return $"{quoted} holds a backslash; the parts of a full name are separated by /";
        }

        var segments = name.Split('/');
        if (segments.Length < 2)
        {
            return $"{quoted} is not a repository's full name: write owner/repo (or group/subgroup/project)";
        }

        if (segments.Any(s => s.Length == 0))
        {
            return $"{quoted} has an empty part (a leading, trailing or doubled /)";
        }

        if (segments.FirstOrDefault(s => s is "." or "..") is { } dots)
        {
            return $"{quoted} has a '{dots}' part; each part of a full name must be a name, not a path step";
        }

        var other = name.FirstOrDefault(c => !IsNameCharacter(c) && c != '/');
        if (other != default)
        {
            var shown = char.IsAscii(other) ? $"'{other}'" : string.Create(CultureInfo.InvariantCulture, $"U+{(int)other:X4}");
            return $"{quoted} holds {shown}; each part of a full name is ASCII letters, digits, '.', '-' and '_'";
        }

        return null;
    }

    /// <summary>Whether <paramref name="name"/> keeps the rule.</summary>
    public static bool IsValid(string? name) => Check(name) is null;

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_';

    /// <summary>The name in quotes as it can be shown anywhere: control characters (and surrogates, which may come
    /// alone) as <c>\u001b</c>.</summary>
    private static string Quote(string name)
    {
        var quoted = new StringBuilder(name.Length + 2).Append('\'');
        foreach (var c in name)
        {
            _ = char.IsControl(c) || char.IsSurrogate(c)
                ? quoted.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}")
                : quoted.Append(c);
        }

        return quoted.Append('\'').ToString();
    }
}
