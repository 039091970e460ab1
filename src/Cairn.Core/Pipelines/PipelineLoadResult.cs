namespace Cairn.Core.Pipelines;

/// <summary>The pipeline, when valid, and every error and warning found, in file order.</summary>
public sealed record PipelineLoadResult(
    Pipeline? Pipeline,
    IReadOnlyList<PipelineError> Errors,
    IReadOnlyList<PipelineWarning> Warnings)
{
    public bool IsValid => Pipeline is not null && Errors.Count == 0;
}
