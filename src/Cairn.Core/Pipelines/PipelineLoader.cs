namespace Cairn.Core.Pipelines;

/// <summary>Reads <c>.cairn.yml</c> into a <see cref="Pipeline"/>, reporting every error at once with its place.</summary>
public static class PipelineLoader
{
    public const string DefaultFileName = ".cairn.yml";

    /// <summary>Parses and validates YAML text. <paramref name="fileName"/> is what error locations print.</summary>
    public static PipelineLoadResult Load(string yaml, string fileName) =>
        throw new NotImplementedException();
}
