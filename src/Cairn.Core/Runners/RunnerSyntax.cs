using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Runners;

/// <summary>Every key of a runner file, described once for the reader and its "did you mean".</summary>
internal static class RunnerSyntax
{
    public const string AliasNamePattern = "^[A-Za-z_][A-Za-z0-9_.-]*$";

    public static SyntaxKey Toleration { get; } = new("tolerations", SyntaxKind.ObjectList, "One taint a pod tolerates.")
    {
        Children =
        [
            new("key", SyntaxKind.Text, "The taint's key; none (with operator: Exists) tolerates every taint."),
            new("operator", SyntaxKind.Text, "Equal (the default) or Exists.") { AllowedValues = ["Equal", "Exists"] },
            new("value", SyntaxKind.Text, "The taint's value (with operator: Equal)."),
            new("effect", SyntaxKind.Text, "NoSchedule, PreferNoSchedule or NoExecute; none for every effect.") { AllowedValues = ["NoSchedule", "PreferNoSchedule", "NoExecute"] },
            new("toleration-seconds", SyntaxKind.Integer, "With NoExecute: how long the pod stays once the taint appears."),
        ],
    };

    public static SyntaxKey Alias { get; } = new("runners", SyntaxKind.NamedObjects,
        "The runner aliases, by the name a job's 'runner:' gives.")
    {
        Required = true,
        NamePattern = AliasNamePattern,
        Children =
        [
            new("executor", SyntaxKind.Text, "What runs the jobs: shell, container or kubernetes.") { Required = true, AllowedValues = ExecutorNames.All },
            new("cpu", SyntaxKind.Text, "CPU cores a job may use: 2, 0.5 or 500m."),
            new("memory", SyntaxKind.Text, "Memory a job may use: 512Mi, 4Gi or 1G."),
            new("labels", SyntaxKind.NameList, "Labels a worker must have to take the jobs."),
            new("image", SyntaxKind.Text, "The image for jobs that name none."),
            new("user", SyntaxKind.Text, "The user shell steps run as when the worker runs as root (a name or a uid)."),
            new("pass-env", SyntaxKind.NameList, "Variables of the worker's own environment that the jobs' steps get."),
            new("namespace", SyntaxKind.Text, "kubernetes: the namespace the jobs' pods and Secrets go in (required)."),
            new("node-selector", SyntaxKind.Env, "kubernetes: node labels a job's pod must land on."),
            new("tolerations", SyntaxKind.ObjectList, "kubernetes: taints a job's pod tolerates.") { Children = Toleration.Children },
            new("service-account", SyntaxKind.Text, "kubernetes: the pods' service account (its token is mounted only then)."),
            new("priority-class", SyntaxKind.Text, "kubernetes: the pods' PriorityClass."),
            new("image-pull-secrets", SyntaxKind.TextList, "kubernetes: Secrets of the namespace the images are pulled with."),
            new("scheduling-timeout", SyntaxKind.Duration, "kubernetes: how long a pod may wait for a node (default 10m)."),
            new("image-pull-timeout", SyntaxKind.Duration, "kubernetes: how long an image may fail to pull (default 2m)."),
            new("source-image", SyntaxKind.Text, "kubernetes: the image (with git and sh) that fetches the run's commit."),
        ],
    };

    public static SyntaxKey Root { get; } = new("", SyntaxKind.Object, "A Cairn runner file.")
    {
        Children =
        [
            new("default", SyntaxKind.Text, "The alias of jobs without 'runner:'."),
            Alias,
        ],
    };
}
