namespace Cairn.Core.Pipelines.Grammar;

/// <summary>Every key <c>.cairn.yml</c> accepts, with its shape and meaning: the single description of the syntax.</summary>
internal static class PipelineSyntax
{
    public const string JobNamePattern = "^[A-Za-z_][A-Za-z0-9_-]*$";
    public const string VariableNamePattern = "^[A-Za-z_][A-Za-z0-9_]*$";

    /// <summary>A service's name is the host name the steps reach it by, so it is a DNS label.</summary>
    public const string ServiceNamePattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";

    public static IReadOnlyList<string> Events { get; } = ["push", "pull_request", "schedule", "manual"];

    /// <summary>Failure classes that <c>retry.on</c> may name; <c>config</c> and <c>cancelled</c> are never retried.</summary>
    public static IReadOnlyList<string> RetryableClasses { get; } = ["script", "timeout", "infra", "lint", "test", "build"];

    /// <summary><c>priority:</c>, on the pipeline and on a job (the job's wins).</summary>
    public static SyntaxKey Priority { get; } = new("priority", SyntaxKind.Choice,
        "How soon queued jobs are leased: high before normal before low, then oldest first. A job's own wins over the pipeline's; default normal.")
    {
        AllowedValues = JobPriorities.Names,
    };

    public static SyntaxKey Step { get; } = new("steps", SyntaxKind.ObjectList,
        "The job's steps, run in order in one workspace; the job stops at the first step that fails.")
    {
        Required = true,
        Children =
        [
            new("name", SyntaxKind.Text, "What the step is called in logs and the dashboard; defaults to the first line of 'run'. May hold ${{ }} expressions."),
            new("run", SyntaxKind.Text, "The shell script to run (bash -eo pipefail, else sh -e). ${{ }} is never expanded here: pass values through env.") { Required = true },
            new("timeout", SyntaxKind.Duration, "How long the step may run before it is stopped, like 90s, 20m or 1h30m."),
            new("env", SyntaxKind.Env, "Environment variables for this step, on top of the pipeline's and the job's.") { NamePattern = VariableNamePattern },
            new("if", SyntaxKind.Condition, "Run the step only when this condition holds; the default is success() (no earlier step failed)."),
        ],
    };

    public static SyntaxKey Retry { get; } = new("retry", SyntaxKind.Object,
        "Run the job again when it fails for one of the listed reasons.")
    {
        Children =
        [
            new("max", SyntaxKind.Integer, "How many more attempts, 0 to 10; default 1.") { Minimum = 0, Maximum = 10 },
            new("on", SyntaxKind.ValueList, "Failure classes that are retried; default [infra]. config and cancelled failures are never retried.") { AllowedValues = RetryableClasses },
            new("backoff", SyntaxKind.Duration, "How long to wait before each new attempt, like 30s."),
        ],
    };

    public static SyntaxKey Matrix { get; } = new("matrix", SyntaxKind.Matrix,
        "Run the job once per combination of the axes' values. Each other key is an axis: a list of values.")
    {
        NamePattern = JobNamePattern,
        Children =
        [
            new("include", SyntaxKind.ScalarMapList, "Entries that extend matching combinations with extra keys, or are added as combinations of their own."),
            new("exclude", SyntaxKind.ScalarMapList, "Entries whose keys and values remove every combination they match."),
        ],
    };

    public static SyntaxKey Services { get; } = new("services", SyntaxKind.NamedObjects,
        "Sidecar containers started before the steps and stopped after them, by name; the steps reach each at its name as host name. Needs the container executor.")
    {
        NamePattern = ServiceNamePattern,
        Children =
        [
            new("image", SyntaxKind.Text, "The image the service runs. May hold ${{ }} expressions.") { Required = true },
            new("env", SyntaxKind.Env, "Environment variables of the service (not of the steps). Values may hold ${{ }} expressions.") { NamePattern = VariableNamePattern },
            new("command", SyntaxKind.TextList, "The command and its arguments, instead of the image's own; passed as written."),
        ],
    };

    public static SyntaxKey Job { get; } = new("jobs", SyntaxKind.NamedObjects,
        "The jobs, by name. Jobs run in parallel unless 'needs' orders them.")
    {
        Required = true,
        NamePattern = JobNamePattern,
        Children =
        [
            new("needs", SyntaxKind.TextOrList, "Jobs that must succeed before this one starts: a job name or a list of them."),
            new("runner", SyntaxKind.Text, "Which runner runs the job: an alias from the runner configuration; without it, the configured default (or, with none configured, a container when the job has an image and the host when not)."),
            new("image", SyntaxKind.Text, "The container image the job's steps run in (executors without containers ignore it, with a warning)."),
            Services,
            new("timeout", SyntaxKind.Duration, "How long the whole job may run, like 20m or 1h30m."),
            Priority,
            Matrix,
            new("env", SyntaxKind.Env, "Environment variables for every step of the job, on top of the pipeline's.") { NamePattern = VariableNamePattern },
            new("secrets", SyntaxKind.NameList, "Names of stored secrets the job receives as environment variables; their values are masked in logs.") { NamePattern = VariableNamePattern },
            Retry,
            new("if", SyntaxKind.Condition, "Run the job only when this condition holds; the default is success() (every job in 'needs' succeeded)."),
            Step,
        ],
    };

    public static SyntaxKey Inputs { get; } = new("inputs", SyntaxKind.Inputs,
        "Values a person gives when starting the run by hand, read as ${{ inputs.name }}.")
    {
        NamePattern = JobNamePattern,
        Children =
        [
            new("default", SyntaxKind.Text, "The value used when none is given."),
            new("required", SyntaxKind.Boolean, "Whether a value must be given when there is no default."),
            new("description", SyntaxKind.Text, "What the input is for, shown to the person starting the run."),
        ],
    };

    public static SyntaxKey On { get; } = new("on", SyntaxKind.Events,
        "When the pipeline runs: an event name, a list of them, or a mapping of event to filters. Default: push, pull_request and manual.")
    {
        AllowedValues = Events,
        Children =
        [
            new("push", SyntaxKind.Object, "Run on pushes; the filters narrow which ones (an empty list matches everything).")
            {
                Nullable = true,
                Children =
                [
                    new("branches", SyntaxKind.TextOrList, "Branch globs: * stays within a path segment, ** crosses them."),
                    new("tags", SyntaxKind.TextOrList, "Tag globs, like v*."),
                    new("paths", SyntaxKind.TextOrList, "Run only when a changed file matches one of these globs, like src/**."),
                ],
            },
            new("pull_request", SyntaxKind.Object, "Run on pull requests opened or updated against the given branches.")
            {
                Nullable = true,
                Children =
                [
                    new("branches", SyntaxKind.TextOrList, "Target branch globs."),
                    new("paths", SyntaxKind.TextOrList, "Run only when a changed file matches one of these globs."),
                ],
            },
            new("schedule", SyntaxKind.ObjectList, "Run on a timetable.")
            {
                Children =
                [
                    new("cron", SyntaxKind.Text, "A five-field cron expression (minute hour day month weekday), read in 'timezone'.") { Required = true },
                    new("timezone", SyntaxKind.Text, "The IANA time zone the cron is read in, like Europe/Berlin; UTC when left out."),
                ],
            },
            new("manual", SyntaxKind.Object, "Allow starting the run by hand, from the CLI, API or dashboard.")
            {
                Nullable = true,
                Children = [Inputs],
            },
        ],
    };

    public static SyntaxKey Concurrency { get; } = new("concurrency", SyntaxKind.TextOrObject,
        "Runs of this repository in the same group run one at a time: a group name, or a mapping of group and cancel-in-progress.")
    {
        Children =
        [
            new("group", SyntaxKind.Text, "The group's name. May hold ${{ }} expressions reading inputs and cairn (ref, branch, tag, sha, event, repository).") { Required = true },
            new("cancel-in-progress", SyntaxKind.Boolean, "Cancel the group's run in progress when a new one starts, instead of the new one waiting; default false."),
        ],
    };

    public static SyntaxKey Root { get; } = new("", SyntaxKind.Object, "A Cairn pipeline (.cairn.yml).")
    {
        Children =
        [
            new("name", SyntaxKind.Text, "The pipeline's name; default 'pipeline'."),
            On,
            Concurrency,
            Priority,
            new("env", SyntaxKind.Env, "Environment variables for every step of every job. Expressions here may read inputs only.") { NamePattern = VariableNamePattern },
            Job,
        ],
    };
}
