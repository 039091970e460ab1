using System.Text;
using System.Text.RegularExpressions;

namespace Cairn.Core.Pipelines;

/// <summary>The globs of <c>on.*.branches</c>, <c>tags</c> and <c>paths</c>: <c>*</c> matches within one
/// <c>/</c>-separated segment, <c>**</c> across segments (<c>**/</c> also matches no directory at all), <c>?</c>
/// one character other than <c>/</c>; everything else matches itself, case included. A leading <c>!</c> makes a
/// pattern negative.</summary>
/// <remarks>A list is read in order and the last pattern that matches decides, as GitHub Actions reads its filters:
/// <c>[release/**, "!release/**-rc"]</c> takes every release branch but the candidates, and a positive pattern after
/// a negative one takes its matches back. Validation requires a positive pattern in every list, since a list of only
/// negative patterns would match nothing.</remarks>
public static class Glob
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Whether <paramref name="value"/> is taken by the list: the last pattern that matches it is positive.</summary>
    public static bool Matches(IReadOnlyList<string> patterns, string value) => Compile(patterns)(value);

    /// <summary>The list as one test, built once for many values (the changed paths of a push).</summary>
    public static Func<string, bool> Compile(IReadOnlyList<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var compiled = patterns.Select(p => p.StartsWith('!') ? (Negative: true, Regex: ToRegex(p[1..])) : (Negative: false, Regex: ToRegex(p))).ToList();
        return value =>
        {
            var taken = false;
            foreach (var (negative, regex) in compiled)
            {
                if (regex.IsMatch(value))
                {
                    taken = !negative;
                }
            }

            return taken;
        };
    }

    /// <summary>What is wrong with one pattern, or null.</summary>
    public static string? Problem(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var body = pattern.StartsWith('!') ? pattern[1..] : pattern;
        return body.Length > 0 ? null
            : pattern.Length == 0 ? "an empty glob matches nothing"
            : "'!' needs a glob after it, like '!docs/**'";
    }

    /// <summary>A problem of a whole list: one that only excludes would match nothing.</summary>
    public static string? ListProblem(IReadOnlyList<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        return patterns.Count > 0 && patterns.All(p => p.StartsWith('!'))
            ? $"has only negative patterns, which match nothing; put what to include first, like ['**', '{patterns[0]}']"
            : null;
    }

    private static Regex ToRegex(string glob)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                var slashAfter = i + 2 < glob.Length && glob[i + 2] == '/';
                var atSegmentStart = i == 0 || glob[i - 1] == '/';
                if (slashAfter && atSegmentStart)
                {
                    // "**/" is zero or more whole directories.
                    regex.Append("(?:.*/)?");
                    i += 2;
                }
                else
                {
                    regex.Append(".*");
                    i++;
                }
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, MatchTimeout);
    }
}
