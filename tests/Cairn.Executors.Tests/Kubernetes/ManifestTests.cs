using Cairn.Executors.Kubernetes;

namespace Cairn.Executors.Tests.Kubernetes;

public sealed class ManifestTests
{
    private static readonly KubernetesExecutorOptions Options = new();

    [Fact]
    public void PodAndSecret_CarryTheNames_Namespace_AndLabels()
    {
        var (pod, secret) = KubernetesManifests.Build(ManifestJobs.Full(), ManifestJobs.Identity, Options);

        foreach (var metadata in new[] { pod.Metadata, secret.Metadata })
        {
            Assert.Equal(("cairn-42-7-1", "ci"), (metadata.Name, metadata.NamespaceProperty));
            Assert.Equal("42", metadata.Labels["cairn.run"]);
            Assert.Equal("7", metadata.Labels["cairn.job"]);
            Assert.Equal("0f8fad5bd9cb469fa16570867728950e", metadata.Labels["cairn.lease"]);
            Assert.Equal("worker-build-host-1", metadata.Labels["cairn.owner"]);
            Assert.Equal("cairn", metadata.Labels["app.kubernetes.io/managed-by"]);
        }

        var (minimalPod, _) = KubernetesManifests.Build(ManifestJobs.Minimal(), ManifestJobs.Identity, Options);
        Assert.False(minimalPod.Metadata.Labels.ContainsKey("cairn.lease"));
    }

    [Theory]
    [InlineData("worker@build-host:1", "worker-build-host-1")]
    [InlineData("--edge--", "edge")]
    [InlineData("Ünïcode name", "n-code-name")]
    public void TheOwnerLabel_IsAlwaysAValidLabelValue(string owner, string label) =>
        Assert.Equal(label, ManifestLabels.LabelValue(owner));

    [Fact]
    public void TheOwnerLabel_IsCutTo63Characters() =>
        Assert.Equal(new string('a', 63), ManifestLabels.LabelValue(new string('a', 80)));

    [Fact]
    public void ThePod_NeverRestarts_HasABackstopDeadline_AndTheStopGrace()
    {
        var spec = KubernetesManifests.Build(ManifestJobs.Full(), ManifestJobs.Identity, new KubernetesExecutorOptions { StopGrace = TimeSpan.FromSeconds(25) }).Pod.Spec;

        Assert.Equal("Never", spec.RestartPolicy);
        Assert.Equal((30 + 10 + 2 + 5) * 60L, spec.ActiveDeadlineSeconds);
        Assert.Equal(25L, spec.TerminationGracePeriodSeconds);
        Assert.False(spec.EnableServiceLinks);
        var minimal = KubernetesManifests.Build(ManifestJobs.Minimal(), ManifestJobs.Identity, Options).Pod.Spec;
        Assert.Equal((6 * 60 + 10 + 2 + 5) * 60L, minimal.ActiveDeadlineSeconds);
    }

    [Fact]
    public void TheServiceAccountToken_IsMountedOnlyWhenTheAliasNamesAnAccount()
    {
        var without = KubernetesManifests.Build(ManifestJobs.Full(), ManifestJobs.Identity, Options).Pod.Spec;
        var with = KubernetesManifests.Build(ManifestJobs.Full("ci-runner"), ManifestJobs.Identity, Options).Pod.Spec;

        Assert.Equal((false, (string?)null), (without.AutomountServiceAccountToken, without.ServiceAccountName));
        Assert.Equal((true, "ci-runner"), (with.AutomountServiceAccountToken, with.ServiceAccountName));
    }

    [Fact]
    public void TheAliasSettings_ReachThePod()
    {
        var spec = KubernetesManifests.Build(ManifestJobs.Full(), ManifestJobs.Identity, Options).Pod.Spec;

        Assert.Equal("amd64", spec.NodeSelector["kubernetes.io/arch"]);
        Assert.Equal(["ci", "spot"], spec.Tolerations.Select(t => t.Key));
        Assert.Equal(("Equal", "yes", "NoExecute", (long?)60), (spec.Tolerations[1].OperatorProperty, spec.Tolerations[1].Value, spec.Tolerations[1].Effect, spec.Tolerations[1].TolerationSeconds));
        Assert.Equal("ci-low", spec.PriorityClassName);
        Assert.Equal(["regcred"], spec.ImagePullSecrets.Select(s => s.Name));
        var job = spec.Containers.Single(c => c.Name == KubernetesManifests.JobContainer);
        Assert.Equal(("500m", "1Gi"), (job.Resources.Limits["cpu"].ToString(), job.Resources.Limits["memory"].ToString()));
        Assert.Equal(("500m", "1Gi"), (job.Resources.Requests["cpu"].ToString(), job.Resources.Requests["memory"].ToString()));
    }

    [Fact]
    public void Services_AreContainersOfThePod_ReachedByName_SharingTheWorkspace()
    {
        var spec = KubernetesManifests.Build(ManifestJobs.Full(), ManifestJobs.Identity, Options).Pod.Spec;

        var postgres = spec.Containers.Single(c => c.Name == "postgres");
        Assert.Equal("postgres:16", postgres.Image);
        Assert.Null(postgres.Command);
        Assert.Equal(["-c", "fsync=off"], postgres.Args);
        Assert.Equal("/workspace", Assert.Single(postgres.VolumeMounts).MountPath);
        var alias = Assert.Single(spec.HostAliases);
        Assert.Equal(("127.0.0.1", "postgres"), (alias.Ip, Assert.Single(alias.Hostnames)));
        Assert.Null(KubernetesManifests.Build(ManifestJobs.Minimal(), ManifestJobs.Identity, Options).Pod.Spec.HostAliases);
    }

    [Fact]
    public void TheJobContainer_RunsTheSupervisor_WithSecretsAndNonceFromTheSecret()
    {
        var spec = KubernetesManifests.Build(ManifestJobs.Full(), ManifestJobs.Identity, Options).Pod.Spec;

        var job = spec.Containers[0];
        Assert.Equal((KubernetesManifests.JobContainer, "node:22", "/workspace"), (job.Name, job.Image, job.WorkingDir));
        Assert.Equal(["/bin/sh", "/cairn/supervisor.sh"], job.Command);
        Assert.Equal("ci", job.Env.Single(e => e.Name == "MODE").Value);
        var token = job.Env.Single(e => e.Name == "NPM_TOKEN");
        Assert.Null(token.Value);
        Assert.Equal(("cairn-42-7-1", "env.NPM_TOKEN"), (token.ValueFrom.SecretKeyRef.Name, token.ValueFrom.SecretKeyRef.Key));
        var nonce = job.Env.Single(e => e.Name == "CAIRN_STEP_NONCE");
        Assert.Equal("nonce", nonce.ValueFrom.SecretKeyRef.Key);
        var programs = job.VolumeMounts.Single(m => m.MountPath == "/cairn");
        Assert.True(programs.ReadOnlyProperty);
    }

    [Fact]
    public void TheProgramVolume_ProjectsOnlyTheProgramFiles()
    {
        var (pod, secret) = KubernetesManifests.Build(ManifestJobs.Full(), ManifestJobs.Identity, Options);

        var volume = pod.Spec.Volumes.Single(v => v.Name == "cairn").Secret;
        Assert.Equal("cairn-42-7-1", volume.SecretName);
        Assert.Equal(["supervisor.sh", "steps", "step-0.sh", "step-1.sh"], volume.Items.Select(i => i.Key));
        Assert.Equal(
            ["env.NPM_TOKEN", "nonce", "source-authorization", "step-0.sh", "step-1.sh", "steps", "supervisor.sh"],
            secret.StringData.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(ManifestJobs.SecretValue, secret.StringData["env.NPM_TOKEN"]);
        Assert.Equal(ManifestJobs.Nonce, secret.StringData["nonce"]);
        Assert.Equal("Authorization: Bearer " + ManifestJobs.Token, secret.StringData["source-authorization"]);
        Assert.Equal("0 success 300\n1 always 0\n", secret.StringData["steps"]);
        Assert.Equal("Opaque", secret.Type);
    }

    [Fact]
    public void TheSource_IsFetchedByAnInitContainer_WithTheTokenOnlyInTheSecret()
    {
        var (pod, _) = KubernetesManifests.Build(ManifestJobs.Full(), ManifestJobs.Identity, Options);

        var source = Assert.Single(pod.Spec.InitContainers);
        Assert.Equal((KubernetesManifests.SourceContainer, Options.SourceImage), (source.Name, source.Image));
        Assert.Equal(["sh", "-c", KubernetesManifests.SourceScript], source.Command);
        var env = source.Env.ToDictionary(e => e.Name);
        Assert.Equal("https://cairn.example/api/source/42.git", env["CAIRN_SOURCE_URL"].Value);
        Assert.Equal("0123456789abcdef0123456789abcdef01234567", env["CAIRN_SHA"].Value);
        Assert.Equal(("0", "1", "http.extraHeader"), (env["GIT_TERMINAL_PROMPT"].Value, env["GIT_CONFIG_COUNT"].Value, env["GIT_CONFIG_KEY_0"].Value));
        Assert.Equal("source-authorization", env["GIT_CONFIG_VALUE_0"].ValueFrom.SecretKeyRef.Key);
        Assert.Null(KubernetesManifests.Build(ManifestJobs.Minimal(), ManifestJobs.Identity, Options).Pod.Spec.InitContainers);
        var own = KubernetesManifests.Build(ManifestJobs.Full() with { Kubernetes = ManifestJobs.Pod() with { SourceImage = "example/git:1" } }, ManifestJobs.Identity, Options);
        Assert.Equal("example/git:1", own.Pod.Spec.InitContainers[0].Image);
    }

    [Fact]
    public void NoSecretValue_Token_OrNonce_AppearsInThePod()
    {
        var (pod, _) = KubernetesManifests.Build(ManifestJobs.Full(), ManifestJobs.Identity, Options);

        var yaml = k8s.KubernetesYaml.Serialize(pod);
        Assert.DoesNotContain(ManifestJobs.SecretValue, yaml, StringComparison.Ordinal);
        Assert.DoesNotContain(ManifestJobs.Token, yaml, StringComparison.Ordinal);
        Assert.DoesNotContain(ManifestJobs.Nonce, yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Placeholders_ReplaceSecretValues_Nonce_Token_AndSourceUrl_EvenInsideAStepsVariables()
    {
        var yaml = KubernetesManifests.Yaml(KubernetesManifests.Build(ManifestJobs.Full(), ManifestJobs.Identity, Options, placeholders: true));

        foreach (var hidden in new[] { ManifestJobs.SecretValue, ManifestJobs.Token, ManifestJobs.Nonce, "cairn.example" })
        {
            Assert.DoesNotContain(hidden, yaml, StringComparison.Ordinal);
        }

        Assert.Contains("<secret NPM_TOKEN>", yaml, StringComparison.Ordinal);
        Assert.Contains("export COPY='<secret NPM_TOKEN>'", yaml, StringComparison.Ordinal);
        Assert.Contains("<nonce>", yaml, StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer <source token>", yaml, StringComparison.Ordinal);
        Assert.Contains("<source url>", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void AJobWithoutAnImage_IsRefused_SayingWhy()
    {
        var error = Assert.Throws<ArgumentException>(() => KubernetesManifests.Build(ManifestJobs.Minimal() with { Image = null }, ManifestJobs.Identity, Options));
        Assert.StartsWith("job 'lint' has no image", error.Message, StringComparison.Ordinal);
    }
}
