namespace Cairn.Core.Pipelines;

/// <summary>Turns a matrix into its combinations: the product of the axes, less <c>exclude</c>, plus <c>include</c>.</summary>
public static class MatrixExpander
{
    public const int MaxCombinations = 256;

    public static IReadOnlyList<MatrixCombination> Expand(MatrixDefinition matrix) =>
        throw new NotImplementedException();
}
