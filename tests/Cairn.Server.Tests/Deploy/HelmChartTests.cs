using static Cairn.Server.Tests.Deploy.HelmChart;

namespace Cairn.Server.Tests.Deploy;

/// <summary>deploy/helm/cairn with the real helm: it lints and renders with every feature on, and what it renders
/// holds no root container, no secret value, and exactly the rights the kubernetes executor uses.</summary>
public sealed class HelmChartTests
{
    [HelmFact]
    public async Task Lints_strictly_with_the_defaults_and_with_each_feature_on()
    {
        foreach (var (name, sets) in Combinations)
        {
            foreach (var strict in new[] { false, true })
            {
                string[] arguments = ["lint", ChartFolder, .. strict ? new[] { "--strict" } : [], .. sets.SelectMany(set => new[] { "--set", set })];
                var (code, output, error) = await HelmAsync(arguments);
                Assert.True(code == 0, $"helm lint{(strict ? " --strict" : "")} of '{name}' failed:\n{output}\n{error}");
            }
        }
    }

    [HelmFact]
    public async Task More_than_one_replica_on_SQLite_fails_with_the_reason()
    {
        var (code, _, error) = await TemplateAsync(["replicas=2"]);

        Assert.NotEqual(0, code);
        Assert.Contains("replicas: 2 server replicas need PostgreSQL", error, StringComparison.Ordinal);
        var objects = await RenderAsync(["replicas=2", "postgresql.external.existingSecret=cairn-db"]);
        Assert.Contains(objects, item => At(item, "kind") as string == "PodDisruptionBudget");
    }

    [HelmFact]
    public async Task A_value_of_the_wrong_type_fails_with_its_key()
    {
        var (code, _, error) = await TemplateAsync(["workers.concurrency=many"]);

        Assert.NotEqual(0, code);
        Assert.Contains("/workers/concurrency", error, StringComparison.Ordinal);
    }

    [HelmFact]
    public async Task SQLite_is_one_replica_on_a_volume_replaced_not_rolled()
    {
        var objects = await RenderAsync([]);
        var server = objects.Single(item => At(item, "kind") as string == "Deployment");

        Assert.Equal("1", At(server, "spec", "replicas"));
        Assert.Equal("Recreate", At(server, "spec", "strategy", "type"));
        Assert.Contains(objects, item => At(item, "kind") as string == "PersistentVolumeClaim");
        Assert.DoesNotContain(objects, item => At(item, "kind") as string == "PodDisruptionBudget");
    }

    [HelmFact]
    public async Task No_container_runs_as_root_privileged_or_with_capabilities()
    {
        foreach (var (name, sets) in Combinations)
        {
            foreach (var (owner, spec) in PodSpecs(await RenderAsync(sets)))
            {
                Assert.True(At(spec, "securityContext", "runAsNonRoot") as string == "true", $"{name}: {owner}'s pod may run as root");
                Assert.NotEqual("0", At(spec, "securityContext", "runAsUser"));
                Assert.Equal("RuntimeDefault", At(spec, "securityContext", "seccompProfile", "type"));
                foreach (var container in Items(At(spec, "initContainers")).Concat(Items(At(spec, "containers"))))
                {
                    var what = $"{name}: {owner}'s container {At(container, "name")}";
                    Assert.True(At(container, "securityContext", "runAsNonRoot") as string == "true", $"{what} may run as root");
                    Assert.True(At(container, "securityContext", "allowPrivilegeEscalation") as string == "false", $"{what} may escalate");
                    Assert.True(At(container, "securityContext", "privileged") as string != "true", $"{what} is privileged");
                    Assert.True(At(container, "securityContext", "readOnlyRootFilesystem") as string == "true", $"{what} writes its root");
                    Assert.Equal(["ALL"], Items(At(container, "securityContext", "capabilities", "drop")).Cast<string>());
                    Assert.Null(At(container, "securityContext", "capabilities", "add"));
                    Assert.NotEqual("0", At(container, "securityContext", "runAsUser"));
                }
            }
        }
    }

    [HelmFact]
    public async Task The_executor_Role_grants_exactly_what_the_executor_calls_in_the_jobs_namespace()
    {
        var withExec = await RenderAsync(["kubernetesExecutor.enabled=true", "kubernetesExecutor.namespace=ci"]);
        var withoutExec = await RenderAsync(["kubernetesExecutor.enabled=true", "kubernetesExecutor.namespace=ci", "kubernetesExecutor.exec=false"]);
        var olderClusters = await RenderAsync(["kubernetesExecutor.enabled=true", "kubernetesExecutor.execGet=true"]);
        string[] common =
        [
            "pods: create,get,list,watch,delete",
            "pods/log: get",
            "secrets: create,patch,delete,list",
            "events: list,watch",
        ];

        Assert.Equal([.. common, "pods/exec: create"], Rules(withExec));
        Assert.Equal(common, Rules(withoutExec));
        Assert.Equal([.. common, "pods/exec: create,get"], Rules(olderClusters));
        var role = withExec.Single(item => At(item, "kind") as string == "Role");
        Assert.Equal("ci", At(role, "metadata", "namespace"));
        var binding = withExec.Single(item => At(item, "kind") as string == "RoleBinding");
        Assert.Equal("ci", At(binding, "metadata", "namespace"));
        Assert.Equal("cairn", At(Items(At(binding, "subjects")).Single(), "namespace"));
        foreach (var (_, sets) in Combinations)
        {
            Assert.DoesNotContain(await RenderAsync(sets), item => At(item, "kind") as string is "ClusterRole" or "ClusterRoleBinding");
        }

        Assert.DoesNotContain(await RenderAsync([]), item => At(item, "kind") as string is "Role" or "RoleBinding");
    }

    private static string[] Rules(List<Dictionary<object, object>> objects)
    {
        var role = objects.Single(item => At(item, "kind") as string == "Role");
        return Items(At(role, "rules")).Select(rule =>
        {
            Assert.Equal([""], Items(At(rule, "apiGroups")).Cast<string>());
            return $"{string.Join(',', Items(At(rule, "resources")))}: {string.Join(',', Items(At(rule, "verbs")))}";
        }).ToArray();
    }

    [HelmFact]
    public async Task The_master_key_and_the_connection_string_come_from_Secrets_never_from_a_pod_spec()
    {
        foreach (var (name, sets) in Combinations)
        {
            var objects = await RenderAsync(sets);
            var server = objects.Single(item => At(item, "kind") as string == "Deployment" && At(item, "metadata", "name") as string == "smoke-cairn");
            var env = Items(At(server, "spec", "template", "spec", "containers")).SelectMany(container => Items(At(container, "env"))).ToList();
            var key = env.Single(entry => At(entry, "name") as string == "CAIRN_MASTER_KEY");
            Assert.Null(At(key, "value"));
            var keySecret = At(key, "valueFrom", "secretKeyRef", "name") as string;
            Assert.False(string.IsNullOrEmpty(keySecret), $"{name}: the master key comes from no Secret");
            Assert.Contains(objects, item => At(item, "kind") as string == "Secret" && At(item, "metadata", "name") as string == keySecret
                || sets.Contains($"masterKey.existingSecret={keySecret}"));

            var connection = env.SingleOrDefault(entry => At(entry, "name") as string == "CAIRN_CONNECTION");
            var postgres = sets.Any(set => set.StartsWith("postgresql.", StringComparison.Ordinal));
            Assert.Equal(postgres, connection is not null);
            if (connection is not null)
            {
                Assert.Null(At(connection, "value"));
                Assert.NotNull(At(connection, "valueFrom", "secretKeyRef", "name"));
            }

            Assert.DoesNotContain(Items(At(server, "spec", "template", "spec", "containers")).SelectMany(container => Items(At(container, "args"))).Cast<string>(),
                argument => argument.Contains("Password=", StringComparison.OrdinalIgnoreCase) || argument == "--connection");
        }
    }

    [HelmFact]
    public async Task The_generated_master_key_is_32_bytes_the_server_reads()
    {
        var secret = (await RenderAsync([])).Single(item => At(item, "kind") as string == "Secret");
        var stored = Convert.FromBase64String((string)At(secret, "data", "master-key")!);

        Assert.Equal(32, Convert.FromBase64String(System.Text.Encoding.ASCII.GetString(stored)).Length);
        Assert.Equal("keep", At(secret, "metadata", "annotations", "helm.sh/resource-policy"));
    }

    [HelmFact]
    public async Task A_chosen_admin_token_reaches_every_replica_from_its_Secret_and_the_helm_test_uses_it()
    {
        var objects = await RenderAsync(Combinations["admin token"]);
        var server = objects.Single(item => At(item, "kind") as string == "Deployment" && At(item, "metadata", "name") as string == "smoke-cairn");
        var pod = At(server, "spec", "template", "spec");
        var container = Items(At(pod, "containers")).Single();
        var env = Items(At(container, "env")).ToList();
        var file = (string)At(env.Single(entry => At(entry, "name") as string == "CAIRN_ADMIN_TOKEN_FILE"), "value")!;
        var mount = Items(At(container, "volumeMounts")).Single(m => file.StartsWith((string)At(m, "mountPath")! + "/", StringComparison.Ordinal));
        var volume = Items(At(pod, "volumes")).Single(v => At(v, "name") as string == At(mount, "name") as string);
        var smoke = objects.Single(item => At(item, "kind") as string == "Pod");
        var smokeVolume = Items(At(smoke, "spec", "volumes")).Single(v => At(v, "secret") is not null);

        Assert.Equal("cairn-admin", At(volume, "secret", "secretName"));
        Assert.Equal("token", At(Items(At(volume, "secret", "items")).Single(), "key"));
        Assert.Equal("cairn-admin", At(smokeVolume, "secret", "secretName"));
        Assert.DoesNotContain(await RenderAsync([]), item => At(item, "kind") as string == "Pod");
    }

    [HelmFact]
    public async Task Workers_lease_from_the_service_with_the_token_file()
    {
        var objects = await RenderAsync(Combinations["workers"]);
        var worker = objects.Single(item => At(item, "metadata", "name") as string == "smoke-cairn-worker");
        var container = Items(At(worker, "spec", "template", "spec", "containers")).Single();
        var arguments = Items(At(container, "args")).Cast<string>().ToList();

        Assert.Equal("worker", arguments[0]);
        Assert.Equal("http://smoke-cairn.cairn.svc:80", arguments[arguments.IndexOf("--server") + 1]);
        Assert.Equal("/etc/cairn/worker/token", arguments[arguments.IndexOf("--token-file") + 1]);
        Assert.Equal("linux,big", arguments[arguments.IndexOf("--labels") + 1]);
        Assert.Equal("cairn-worker", At(Items(At(worker, "spec", "template", "spec", "volumes")).First(), "secret", "secretName"));
    }

    [HelmFact]
    public async Task Prometheus_scrapes_the_metrics_port_which_the_network_policy_opens_only_to_its_selector()
    {
        var objects = await RenderAsync([.. Combinations["monitoring"], .. Combinations["network policy"]]);
        var service = objects.Single(item => At(item, "kind") as string == "Service");
        var monitor = objects.Single(item => At(item, "kind") as string == "ServiceMonitor");
        var policy = objects.Single(item => At(item, "kind") as string == "NetworkPolicy");
        var server = objects.Single(item => At(item, "kind") as string == "Deployment");

        var selector = (Dictionary<object, object>)At(monitor, "spec", "selector", "matchLabels")!;
        var labels = (Dictionary<object, object>)At(service, "metadata", "labels")!;
        Assert.All(selector, pair => Assert.Equal(pair.Value, labels.GetValueOrDefault(pair.Key)));
        Assert.Equal("metrics", At(Items(At(monitor, "spec", "endpoints")).Single(), "port"));
        Assert.Contains(Items(At(service, "spec", "ports")), port => At(port, "name") as string == "metrics" && At(port, "port") as string == "9464");
        var env = Items(At(server, "spec", "template", "spec", "containers")).SelectMany(container => Items(At(container, "env")));
        Assert.Contains(env, entry => At(entry, "name") as string == "CAIRN_METRICS_URLS" && At(entry, "value") as string == "http://0.0.0.0:9464");

        var rules = Items(At(policy, "spec", "ingress")).ToList();
        Assert.Equal(["Ingress"], Items(At(policy, "spec", "policyTypes")).Cast<string>());
        var metrics = rules.Single(rule => Items(At(rule, "ports")).Any(port => At(port, "port") as string == "metrics"));
        Assert.Equal("monitoring", At(Items(At(metrics, "from")).Single(), "namespaceSelector", "matchLabels", "name"));
        Assert.DoesNotContain(Items(At(rules.Single(rule => rule != metrics), "ports")), port => At(port, "port") as string == "metrics");

        var closed = await RenderAsync(["networkPolicy.enabled=true"]);
        var closedRules = Items(At(closed.Single(item => At(item, "kind") as string == "NetworkPolicy"), "spec", "ingress")).ToList();
        Assert.Equal("http", At(Items(At(closedRules.Single(), "ports")).Single(), "port"));
        Assert.Null(At(closedRules.Single(), "from"));
    }

    [HelmFact]
    public async Task The_PrometheusRule_carries_the_rules_Prometheus_loads()
    {
        var copy = await File.ReadAllTextAsync(Path.Combine(ChartFolder, "files", "cairn-rules.yml"));
        var original = Path.Combine(RepositoryRoot(), "deploy", "prometheus", "cairn-rules.yml");
        if (File.Exists(original))
        {
            Assert.True(copy == await File.ReadAllTextAsync(original),
                "deploy/helm/cairn/files/cairn-rules.yml differs from deploy/prometheus/cairn-rules.yml: copy the latter over the former");
        }

        var rule = (await RenderAsync(Combinations["monitoring"])).Single(item => At(item, "kind") as string == "PrometheusRule");
        var alerts = Items(At(rule, "spec", "groups")).SelectMany(group => Items(At(group, "rules"))).Select(item => At(item, "alert")).ToList();
        var expected = Parse(copy).Single();
        Assert.Equal(Items(At(expected, "groups")).SelectMany(group => Items(At(group, "rules"))).Select(item => At(item, "alert")), alerts);
        Assert.NotEmpty(alerts);
    }
}
