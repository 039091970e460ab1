using System.Runtime.CompilerServices;

namespace Cairn.Testing;

/// <summary>A fact that validates Kubernetes objects against the API's schemas: it needs helm (CAIRN_TEST_HELM), Node,
/// and CAIRN_TEST_KUBE_SCHEMAS, the folder of <c>npm install --prefix DIR kubernetes-models
/// @kubernetes-models/prometheus-operator yaml</c>.</summary>
public sealed class KubeSchemasFactAttribute : FactAttribute
{
    public KubeSchemasFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        Skip = HelmFactAttribute.Program is null
            ? "needs helm: set CAIRN_TEST_HELM to the path of the helm binary"
            : Engines.Node is null ? "needs Node (node on PATH, or CAIRN_TEST_NODE)"
            : Folder is null ? "needs the Kubernetes schemas: npm install --prefix DIR kubernetes-models @kubernetes-models/prometheus-operator yaml, then set CAIRN_TEST_KUBE_SCHEMAS=DIR"
            : null;
    }

    /// <summary>The folder holding node_modules/kubernetes-models, or null.</summary>
    public static string? Folder =>
        Environment.GetEnvironmentVariable("CAIRN_TEST_KUBE_SCHEMAS") is { Length: > 0 } folder
        && File.Exists(Path.Combine(folder, "node_modules", "kubernetes-models", "package.json"))
            ? folder
            : null;
}
