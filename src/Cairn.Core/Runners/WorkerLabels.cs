using System.Text.RegularExpressions;

namespace Cairn.Core.Runners;

/// <summary>The one rule for a worker label, wherever one is given: a runner alias's <c>labels:</c>, a worker's identity
/// (<c>cairn workers add --labels</c>) and what a worker offers.</summary>
public static partial class WorkerLabels
{
    /// <summary>What a label may hold, as a sentence's end.</summary>
    public const string Rule = "use letters, digits, _, ., / and -";

    public static bool IsValid(string? label) => label is { Length: > 0 } && Pattern().IsMatch(label);

    [GeneratedRegex("^[A-Za-z0-9_./-]+$")]
    private static partial Regex Pattern();
}
