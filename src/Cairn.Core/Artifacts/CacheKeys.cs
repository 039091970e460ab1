using Cairn.Core.Pipelines.Expressions;

namespace Cairn.Core.Artifacts;

/// <summary>Expands a cache key as written into the key looked up and saved.</summary>
public static class CacheKeys
{
    public static Task<string> ExpandAsync(
        string template, ExpressionContext context, Func<IReadOnlyList<string>, CancellationToken, Task<string>> hashFiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hashFiles);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(ExpressionEngine.ExpandTemplate(template, context));
    }
}
