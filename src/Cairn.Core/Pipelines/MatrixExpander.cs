namespace Cairn.Core.Pipelines;

/// <summary>Turns a matrix into its combinations: the product of the axes, less <c>exclude</c>, plus <c>include</c>.</summary>
public static class MatrixExpander
{
    public const int MaxCombinations = 256;

    /// <summary>The combinations in order: the product (first axis varies slowest) less excluded ones, then include-only ones.</summary>
    /// <exception cref="ArgumentException">The matrix has more than <see cref="MaxCombinations"/> combinations (the loader rejects such pipelines).</exception>
    public static IReadOnlyList<MatrixCombination> Expand(MatrixDefinition matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        var combinations = Combine(matrix);
        if (combinations.Count > MaxCombinations)
        {
            throw new ArgumentException($"the matrix has {combinations.Count} combinations; the limit is {MaxCombinations}", nameof(matrix));
        }

        return combinations;
    }

    /// <summary>The expansion without the size limit, for the validator to count.</summary>
    internal static List<MatrixCombination> Combine(MatrixDefinition matrix)
    {
        var kept = Product(matrix.Axes)
            .Where(c => !matrix.Exclude.Any(e => Matches(c, e)))
            .Select(c => new List<KeyValuePair<string, string>>(c))
            .ToList();
        var axisNames = matrix.Axes.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var added = new List<List<KeyValuePair<string, string>>>();
        foreach (var entry in matrix.Include)
        {
            var axisValues = entry.Where(p => axisNames.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            var extras = entry.Where(p => !axisNames.Contains(p.Key)).ToList();
            var matching = matrix.Axes.Count == 0 ? [] : kept.Where(c => Matches(c, axisValues)).ToList();
            if (matching.Count > 0 && extras.Count > 0)
            {
                matching.ForEach(c => SetAll(c, extras));
            }
            else if (matching.Count == 0)
            {
                var combination = matrix.Axes.Where(a => axisValues.ContainsKey(a.Name))
                    .Select(a => new KeyValuePair<string, string>(a.Name, axisValues[a.Name]))
                    .ToList();
                combination.AddRange(extras);
                added.Add(combination);
            }
        }

        return [.. kept.Concat(added).Select(c => new MatrixCombination(c))];
    }

    /// <summary>The cartesian product of the axes, first axis varying slowest. No axes: no combinations.</summary>
    internal static List<IReadOnlyList<KeyValuePair<string, string>>> Product(IReadOnlyList<MatrixAxis> axes)
    {
        if (axes.Count == 0)
        {
            return [];
        }

        IEnumerable<IReadOnlyList<KeyValuePair<string, string>>> product = [[]];
        foreach (var axis in axes)
        {
            var current = axis;
            product = product.SelectMany(prefix => current.Values.Select(value =>
                (IReadOnlyList<KeyValuePair<string, string>>)[.. prefix, new KeyValuePair<string, string>(current.Name, value)]));
        }

        return [.. product];
    }

    /// <summary>Whether every key of <paramref name="entry"/> is in the combination with the same value.</summary>
    internal static bool Matches(IReadOnlyList<KeyValuePair<string, string>> combination, IReadOnlyDictionary<string, string> entry) =>
        entry.All(p => combination.Any(c => c.Key == p.Key && c.Value == p.Value));

    private static void SetAll(List<KeyValuePair<string, string>> combination, List<KeyValuePair<string, string>> extras)
    {
        foreach (var extra in extras)
        {
            var index = combination.FindIndex(c => c.Key == extra.Key);
            if (index >= 0)
            {
                combination[index] = extra;
            }
            else
            {
                combination.Add(extra);
            }
        }
    }
}
