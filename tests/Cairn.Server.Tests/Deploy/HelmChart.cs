using System.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Cairn.Server.Tests.Deploy;

/// <summary>Runs the real helm on deploy/helm/cairn and reads what it renders as plain dictionaries and lists.</summary>
internal static class HelmChart
{
    /// <summary>The value sets that turn each feature on, by name; each renders and lints on its own.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Combinations = new Dictionary<string, string[]>
    {
        ["defaults"] = [],
        ["postgresql external"] = ["replicas=3", "postgresql.external.existingSecret=cairn-db"],
        ["postgresql bundled"] = ["replicas=2", "postgresql.bundled.enabled=true"],
        ["workers"] = ["workers.enabled=true", "workers.replicas=2", "workers.tokenSecret.name=cairn-worker", "workers.labels={linux,big}"],
        ["kubernetes executor"] = ["kubernetesExecutor.enabled=true", "kubernetesExecutor.namespace=ci", "runners.pods.executor=kubernetes", "runners.pods.namespace=ci"],
        ["kubernetes executor without exec"] = ["kubernetesExecutor.enabled=true", "kubernetesExecutor.exec=false"],
        ["monitoring"] = ["monitoring.serviceMonitor.enabled=true", "monitoring.prometheusRule.enabled=true"],
        ["network policy"] = ["networkPolicy.enabled=true", "networkPolicy.http.from[0].namespaceSelector.matchLabels.name=ingress",
            "networkPolicy.metrics.from[0].namespaceSelector.matchLabels.name=monitoring"],
        ["ingress"] = ["ingress.enabled=true", "ingress.className=nginx", "ingress.tls[0].secretName=cairn-tls", "ingress.tls[0].hosts={cairn.example.com}"],
        ["helm test"] = ["tests.smoke.tokenSecret=cairn-smoke"],
        ["admin token"] = ["replicas=2", "postgresql.external.existingSecret=cairn-db", "adminToken.existingSecret=cairn-admin"],
        ["everything"] = ["replicas=2", "postgresql.external.existingSecret=cairn-db", "workers.enabled=true", "workers.tokenSecret.name=cairn-worker",
            "kubernetesExecutor.enabled=true", "monitoring.serviceMonitor.enabled=true", "monitoring.prometheusRule.enabled=true",
            "networkPolicy.enabled=true", "ingress.enabled=true", "tests.smoke.tokenSecret=cairn-smoke", "masterKey.existingSecret=cairn-key",
            "adminToken.existingSecret=cairn-admin"],
    };

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Cairn.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Cairn.slnx not found above the test binaries");
    }

    public static string ChartFolder => Path.Combine(RepositoryRoot(), "deploy", "helm", "cairn");

    /// <summary>Runs helm with <paramref name="arguments"/>; its exit code, standard output and standard error.</summary>
    public static Task<(int Code, string Output, string Error)> HelmAsync(IEnumerable<string> arguments) =>
        RunAsync(HelmFactAttribute.Program!, arguments, null);

    /// <summary><c>helm template</c> of the chart with <paramref name="sets"/> as --set.</summary>
    public static Task<(int Code, string Output, string Error)> TemplateAsync(IEnumerable<string> sets) =>
        HelmAsync(["template", "smoke", ChartFolder, "--namespace", "cairn", .. sets.SelectMany(set => new[] { "--set", set })]);

    /// <summary>The objects of a rendering that must succeed.</summary>
    public static async Task<List<Dictionary<object, object>>> RenderAsync(IEnumerable<string> sets)
    {
        var (code, output, error) = await TemplateAsync(sets);
        Assert.True(code == 0, $"helm template failed: {error}");
        return Parse(output);
    }

    public static List<Dictionary<object, object>> Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var objects = new List<Dictionary<object, object>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (deserializer.Deserialize<object?>(parser) is Dictionary<object, object> item)
            {
                objects.Add(item);
            }
        }

        return objects;
    }

    public static async Task<(int Code, string Output, string Error)> RunAsync(string program, IEnumerable<string> arguments, string? input)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output, await error);
    }

    // Reading rendered objects: a path of keys into nested dictionaries.
    public static object? At(object? node, params string[] keys)
    {
        foreach (var key in keys)
        {
            node = node is Dictionary<object, object> map && map.TryGetValue(key, out var next) ? next : null;
        }

        return node;
    }

    public static IEnumerable<object> Items(object? node) => node as List<object> ?? [];

    public static string Describe(Dictionary<object, object> item) => $"{At(item, "kind")} {At(item, "metadata", "name")}";

    /// <summary>The pod specs of the workloads among <paramref name="objects"/>: Deployments, StatefulSets, Pods.</summary>
    public static IEnumerable<(string Owner, object Spec)> PodSpecs(IEnumerable<Dictionary<object, object>> objects) =>
        objects.Select(item => (Describe(item), At(item, "kind") switch
        {
            "Deployment" or "StatefulSet" => At(item, "spec", "template", "spec"),
            "Pod" => At(item, "spec"),
            _ => null,
        })).Where(pair => pair.Item2 is not null).Select(pair => (pair.Item1, pair.Item2!));
}
