using System.Globalization;
using Cairn.Core.Runs;

namespace Cairn.Core.Logs;

/// <summary>What to look for in the logs: a piece of text, optionally in one repository's runs, a page at a time.</summary>
/// <param name="Text">Found anywhere in a line, literally; at least <see cref="MinimumLength"/> characters, since the
/// index is of three-character pieces and a shorter text would have to read every line.</param>
/// <param name="Repository">Only runs of this repository (compared without regard to case); null for all.</param>
/// <param name="Limit">Jobs per page, 1 to <see cref="MaximumLimit"/>.</param>
/// <param name="Before">Where the previous page ended (<see cref="LogSearchPage.Next"/>); null for the first page.</param>
public sealed record LogSearchQuery(string Text, string? Repository = null, int Limit = LogSearchQuery.DefaultLimit, LogSearchCursor? Before = null)
{
    public const int MinimumLength = 3;

    public const int MaximumLength = 200;

    public const int DefaultLimit = 25;

    public const int MaximumLimit = 100;

    /// <summary>What is wrong with the query, said so a person can fix it; null when it can be run.</summary>
    public string? Check()
    {
        if (string.IsNullOrWhiteSpace(Text))
        {
            return "q: say what to look for";
        }

        if (Text.Length < MinimumLength)
        {
            return $"q: look for at least {MinimumLength} characters";
        }

        if (Text.Length > MaximumLength)
        {
            return $"q: look for at most {MaximumLength} characters";
        }

        return Limit is < 1 or > MaximumLimit ? $"limit: between 1 and {MaximumLimit}" : null;
    }
}

/// <summary>A place in the results: the run and job of the last match of a page (results go by run, then job, both
/// newest first). Written as <c>run.job</c>.</summary>
public sealed record LogSearchCursor(long RunId, long JobId)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{RunId}.{JobId}");

    public static bool TryParse(string? text, out LogSearchCursor? cursor)
    {
        cursor = null;
        var dot = text?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot <= 0
            || !long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var run)
            || !long.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var job))
        {
            return false;
        }

        cursor = new LogSearchCursor(run, job);
        return true;
    }
}

/// <summary>A job whose log holds the text: its run, its first matching line (cut to
/// <see cref="LogSearchMatch.MaximumTextLength"/> characters around the match) and how many of its lines match.</summary>
public sealed record LogSearchMatch(RunRecord Run, long JobId, string JobName, long Sequence, string Text, long MatchingLines)
{
    public const int MaximumTextLength = 500;
}

/// <summary>A page of matches, newest run first, and where the next (older) page starts; null when there is none.</summary>
public sealed record LogSearchPage(IReadOnlyList<LogSearchMatch> Matches, LogSearchCursor? Next);
