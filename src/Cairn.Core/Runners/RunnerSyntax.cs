using Cairn.Core.Pipelines.Grammar;

namespace Cairn.Core.Runners;

/// <summary>Every key of a runner file, described once for the reader and its "did you mean".</summary>
internal static class RunnerSyntax
{
    public const string AliasNamePattern = "^[A-Za-z_][A-Za-z0-9_.-]*$";

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
