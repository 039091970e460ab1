using System.Runtime.CompilerServices;
using Cairn.Core.Execution;
using Cairn.Executors.Kubernetes;

namespace Cairn.Executors.Tests.Kubernetes;

/// <summary>The generated manifests, compared with the files under Golden/. After a deliberate change to the
/// manifests, rewrite the files with <c>CAIRN_UPDATE_GOLDEN=1</c> set when running these tests, and review the diff.</summary>
public sealed class ManifestGoldenTests
{
    public static string GoldenFolder([CallerFilePath] string source = "") => Path.Combine(Path.GetDirectoryName(source)!, "Golden");

    public static string Render(JobSpec job) =>
        KubernetesManifests.Yaml(KubernetesManifests.Build(job, ManifestJobs.Identity, new KubernetesExecutorOptions(), placeholders: true));

    [Theory]
    [InlineData("full")]
    [InlineData("minimal")]
    public void Manifests_MatchTheGoldenFile(string name)
    {
        var yaml = Render(name == "full" ? ManifestJobs.Full() : ManifestJobs.Minimal());
        var path = Path.Combine(GoldenFolder(), name + ".yaml");

        if (Environment.GetEnvironmentVariable("CAIRN_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, yaml);
        }

        Assert.True(File.Exists(path), $"{path} is missing; run with CAIRN_UPDATE_GOLDEN=1 to write it");
        Assert.Equal(File.ReadAllText(path), yaml);
    }
}
