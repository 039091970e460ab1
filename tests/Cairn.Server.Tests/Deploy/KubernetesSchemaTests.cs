using static Cairn.Server.Tests.Deploy.HelmChart;

namespace Cairn.Server.Tests.Deploy;

/// <summary>What the chart renders, with each feature on, is valid against the Kubernetes API's schemas (and the
/// Prometheus Operator's for ServiceMonitor and PrometheusRule), checked by validate-manifests.mjs.</summary>
public sealed class KubernetesSchemaTests
{
    private static string Script => Path.Combine(RepositoryRoot(), "tests", "Cairn.Server.Tests", "Deploy", "validate-manifests.mjs");

    private static Task<(int Code, string Output, string Error)> ValidateAsync(string yaml) =>
        RunAsync(Engines.Node!, [Script, KubeSchemasFactAttribute.Folder!], yaml);

    [KubeSchemasFact]
    public async Task Every_rendered_object_is_valid_against_its_schema()
    {
        foreach (var (name, sets) in Combinations)
        {
            var (code, rendered, error) = await TemplateAsync(sets);
            Assert.True(code == 0, $"helm template of '{name}' failed: {error}");

            var result = await ValidateAsync(rendered);

            Assert.True(result.Code == 0, $"'{name}' renders objects the API would refuse:\n{result.Error}");
            Assert.Equal(Parse(rendered).Count, result.Output.Split('\n').Count(line => line.StartsWith("valid: ", StringComparison.Ordinal)));
        }
    }

    [KubeSchemasFact]
    public async Task The_validator_refuses_an_object_that_breaks_its_schema()
    {
        const string Deployment = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: broken
            spec:
              replicas: "two"
              selector:
                matchLabels: { app: broken }
              template:
                metadata:
                  labels: { app: broken }
                spec:
                  containers:
                    - name: server
                      image: cairn
            """;

        var broken = await ValidateAsync(Deployment);
        var fixedOne = await ValidateAsync(Deployment.Replace("\"two\"", "2", StringComparison.Ordinal));
        var unknown = await ValidateAsync("apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: odd\n");

        Assert.Equal(1, broken.Code);
        Assert.Contains("invalid: Deployment broken", broken.Error, StringComparison.Ordinal);
        Assert.Contains("replicas", broken.Error, StringComparison.Ordinal);
        Assert.Equal(0, fixedOne.Code);
        Assert.Equal(1, unknown.Code);
        Assert.Contains("no schema for example.com/v1 Gadget", unknown.Error, StringComparison.Ordinal);
    }
}
