using System.Text.RegularExpressions;
using Cairn.Core.Pipelines.Grammar;
using Cairn.Core.Pipelines.Validation;

namespace Cairn.Core.Runners;

/// <summary>The pod settings of a runner alias with <c>executor: kubernetes</c>, checked as Kubernetes checks them.</summary>
public static partial class RunnerCatalogLoader
{
    /// <summary>The keys only an alias with <c>executor: kubernetes</c> may have.</summary>
    internal static IReadOnlyList<string> KubernetesKeys { get; } =
    [
        "namespace", "node-selector", "tolerations", "service-account", "priority-class", "image-pull-secrets",
        "scheduling-timeout", "image-pull-timeout", "source-image",
    ];

    private static readonly string[] TolerationOperators = ["Equal", "Exists"];
    private static readonly string[] TolerationEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    private static KubernetesRunnerOptions? ReadKubernetes(Dictionary<string, YamlEntry> keys, YamlMapping mapping, string name, string? executor, ValueReader reader)
    {
        var diagnostics = reader.Diagnostics;
        if (executor != ExecutorNames.Kubernetes)
        {
            foreach (var key in KubernetesKeys.Where(keys.ContainsKey))
            {
                diagnostics.Error(keys[key].Key, $"'{key}' is only for runners with executor: kubernetes (runner '{name}' has executor: {executor ?? "none"})");
            }

            return null;
        }

        string? ns = null;
        if (!keys.TryGetValue("namespace", out var n))
        {
            diagnostics.Error(mapping, $"runner '{name}' has executor: kubernetes but no 'namespace'; give the namespace its pods go in");
        }
        else if (reader.Text(n.Value, "'namespace' must be a namespace name") is { } text)
        {
            ns = Check(text, n.Value, IsDnsLabel, "namespace", "a DNS label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit", reader);
        }

        return new KubernetesRunnerOptions(
            ns ?? "",
            keys.TryGetValue("scheduling-timeout", out var st) ? reader.Duration(st.Value, "scheduling-timeout") ?? TimeSpan.Zero : KubernetesRunnerOptions.DefaultSchedulingTimeout,
            keys.TryGetValue("image-pull-timeout", out var it) ? reader.Duration(it.Value, "image-pull-timeout") ?? TimeSpan.Zero : KubernetesRunnerOptions.DefaultImagePullTimeout)
        {
            NodeSelector = keys.TryGetValue("node-selector", out var s) ? NodeSelector(s.Value, reader) : new Dictionary<string, string>(),
            Tolerations = keys.TryGetValue("tolerations", out var t) ? Tolerations(t.Value, reader) : [],
            ServiceAccount = keys.TryGetValue("service-account", out var sa) ? Name(sa.Value, "service-account", reader) : null,
            PriorityClass = keys.TryGetValue("priority-class", out var pc) ? Name(pc.Value, "priority-class", reader) : null,
            ImagePullSecrets = keys.TryGetValue("image-pull-secrets", out var ps) ? PullSecrets(ps.Value, reader) : [],
            SourceImage = keys.TryGetValue("source-image", out var si) ? reader.Text(si.Value, "'source-image' must be an image reference") : null,
        };
    }

    private static string? Name(YamlNode node, string key, ValueReader reader) =>
        reader.Text(node, $"'{key}' must be a name") is { } text
            ? Check(text, node, IsDnsSubdomain, key, SubdomainRule, reader)
            : null;

    private static List<string> PullSecrets(YamlNode node, ValueReader reader) =>
        [.. (reader.TextList(node, "'image-pull-secrets' must be a list of Secret names, like [registry-login]") ?? [])
            .Select(s => Check(s.Value, s, IsDnsSubdomain, "image-pull-secrets", SubdomainRule, reader))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)];

    private static Dictionary<string, string> NodeSelector(YamlNode node, ValueReader reader)
    {
        var selector = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.Mapping(node, "'node-selector' must be a mapping of node label to value, like { kubernetes.io/arch: amd64 }") is not { } mapping)
        {
            return selector;
        }

        foreach (var entry in reader.Distinct(mapping, (key, first) => $"node label '{key.Value}' is given twice (first at {first.Line}:{first.Column})"))
        {
            var key = Check(entry.Key.Value, entry.Key, IsLabelKey, "node-selector", LabelKeyRule, reader);
            var value = reader.Text(entry.Value, $"the value of node label '{entry.Key.Value}' must be a string") ?? "";
            if (!IsLabelValue(value))
            {
                reader.Diagnostics.Error(entry.Value, $"'{value}' is not a valid label value; {LabelValueRule}");
            }
            else if (key is not null)
            {
                selector[key] = value;
            }
        }

        return selector;
    }

    private static List<KubernetesToleration> Tolerations(YamlNode node, ValueReader reader)
    {
        var tolerations = new List<KubernetesToleration>();
        if (node is not YamlSequence sequence)
        {
            reader.Diagnostics.Error(node, "'tolerations' must be a list like [{ key: gpu, operator: Exists, effect: NoSchedule }]");
            return tolerations;
        }

        foreach (var item in sequence.Items)
        {
            if (reader.Mapping(item, "a toleration must be a mapping with key, operator, value, effect and toleration-seconds") is not { } mapping)
            {
                continue;
            }

            var keys = reader.Keys(mapping, RunnerSyntax.Toleration, "in a toleration");
            var key = keys.TryGetValue("key", out var k) && reader.Text(k.Value, "a toleration's 'key' must be a label key") is { } kt
                ? Check(kt, k.Value, IsLabelKey, "key", LabelKeyRule, reader)
                : null;
            var op = keys.TryGetValue("operator", out var o) ? OneOf(o.Value, "operator", TolerationOperators, reader) : null;
            var value = keys.TryGetValue("value", out var v) ? reader.Text(v.Value, "a toleration's 'value' must be a string") : null;
            var effect = keys.TryGetValue("effect", out var e) ? OneOf(e.Value, "effect", TolerationEffects, reader) : null;
            long? seconds = keys.TryGetValue("toleration-seconds", out var s) ? reader.Integer(s.Value, "toleration-seconds", 0, int.MaxValue) : null;
            if (value is not null && !IsLabelValue(value))
            {
                reader.Diagnostics.Error(v!.Value, $"'{value}' is not a valid label value; {LabelValueRule}");
            }

            if (op == "Exists" && !string.IsNullOrEmpty(value))
            {
                reader.Diagnostics.Error(v!.Value, "a toleration with operator: Exists takes no 'value'");
            }

            if (key is null && k is null && op != "Exists")
            {
                reader.Diagnostics.Error(mapping, "a toleration without 'key' must have operator: Exists (it tolerates every taint)");
            }

            if (seconds is not null && effect != "NoExecute")
            {
                reader.Diagnostics.Error(s!.Key, "'toleration-seconds' is only for a toleration with effect: NoExecute");
            }

            tolerations.Add(new KubernetesToleration(key, op, value, effect, seconds));
        }

        return tolerations;
    }

    private static string? OneOf(YamlNode node, string key, string[] allowed, ValueReader reader)
    {
        var text = reader.Text(node, $"a toleration's '{key}' must be one of: {string.Join(", ", allowed)}");
        if (text is null || allowed.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }

        reader.Diagnostics.Error(node, $"unknown {key} '{text}'{ValueReader.DidYouMean(text, allowed, listAll: true)}");
        return null;
    }

    private static string? Check(string text, YamlNode node, Func<string, bool> valid, string key, string rule, ValueReader reader)
    {
        if (valid(text))
        {
            return text;
        }

        reader.Diagnostics.Error(node, $"'{text}' is not a valid {key}; {rule}");
        return null;
    }

    private const string SubdomainRule = "use at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";
    private const string LabelKeyRule = "use an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
    private const string LabelValueRule = "use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit (or nothing)";

    /// <summary>A DNS-1123 label, as Kubernetes names a namespace.</summary>
    public static bool IsDnsLabel(string text) => text.Length <= 63 && DnsLabel().IsMatch(text);

    /// <summary>A DNS-1123 subdomain, as Kubernetes names most objects.</summary>
    public static bool IsDnsSubdomain(string text) => text.Length <= 253 && DnsSubdomain().IsMatch(text);

    /// <summary>A label key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static bool IsLabelKey(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? text : text[(slash + 1)..];
        return (slash < 0 || IsDnsSubdomain(text[..slash])) && name.Length is > 0 and <= 63 && LabelName().IsMatch(name);
    }

    /// <summary>A label value: empty, or at most 63 characters as a label name.</summary>
    public static bool IsLabelValue(string text) => text.Length == 0 || (text.Length <= 63 && LabelName().IsMatch(text));

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelName();
}
