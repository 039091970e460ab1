namespace Cairn.Core.Pipelines.Grammar;

/// <summary>Every key <c>.cairn.yml</c> accepts, with its shape and meaning: the single description of the syntax.</summary>
internal static class PipelineSyntax
{
    public const string JobNamePattern = "^[A-Za-z_][A-Za-z0-9_-]*$";
    public const string VariableNamePattern = "^[A-Za-z_][A-Za-z0-9_]*$";

    /// <summary>A service's name is the host name the steps reach it by, so it is a DNS label.</summary>
    public const string ServiceNamePattern = "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$";

    public static IReadOnlyList<string> Events { get; } = ["push", "pull_request", "schedule", "manual", "plane", "pull_request_review"];

    /// <summary>Failure classes that <c>retry.on</c> may name; <c>config</c>, <c>cancelled</c> and <c>agent-policy</c> are never retried.</summary>
    public static IReadOnlyList<string> RetryableClasses { get; } = ["script", "timeout", "infra", "lint", "test", "build", "agent-limit", "agent-error"];

    /// <summary>What <c>agent.inputs</c> may name: trigger data handed to the agent as fenced, untrusted text.</summary>
    public static IReadOnlyList<string> AgentInputs { get; } = ["trigger.title", "trigger.description", "trigger.id", "trigger.url", "trigger.comment"];

    /// <summary>The events of <c>on.plane.events</c>.</summary>
    public static IReadOnlyList<string> PlaneEvents { get; } = ["workitem.created", "workitem.updated"];

    /// <summary>The review states of <c>on.pull_request_review.states</c>.</summary>
    public static IReadOnlyList<string> ReviewStates { get; } = ["approved", "changes_requested", "commented"];

    /// <summary><c>priority:</c>, on the pipeline and on a job (the job's wins).</summary>
    public static SyntaxKey Priority { get; } = new("priority", SyntaxKind.Choice,
        "How soon queued jobs are leased: high before normal before low, then oldest first. A job's own wins over the pipeline's; default normal.")
    {
        AllowedValues = JobPriorities.Names,
    };

    public static SyntaxKey Step { get; } = new("steps", SyntaxKind.ObjectList,
        "The job's steps, run in order in one workspace; the job stops at the first step that fails. A job has exactly one of steps, agent, approval and publish.")
    {
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

    /// <summary><c>artifacts:</c> of a job: what it keeps of its workspace when its steps end.</summary>
    public static SyntaxKey Artifacts { get; } = new("artifacts", SyntaxKind.Object,
        "What the job keeps of its workspace after its steps: kept with the run, browsable and downloadable, and extracted into the workspace of every job that needs it before its first step.")
    {
        Children =
        [
            new("paths", SyntaxKind.TextList, "Globs relative to the workspace, like dist/** or coverage.xml: * stays within a path segment, ** crosses them. Never absolute, never with .. or ~.") { Required = true },
            new("expire-in", SyntaxKind.Duration, "How long they are kept, like 14d or 12h; default: the server's setting."),
            new("when", SyntaxKind.Choice, "When they are kept: on_success (the default), on_failure or always.") { AllowedValues = Cairn.Core.Artifacts.ArtifactWhenNames.All },
        ],
    };

    /// <summary><c>cache:</c> of a job: folders restored by key before its first step and saved after it succeeded.</summary>
    public static SyntaxKey Cache { get; } = new("cache", SyntaxKind.ObjectOrList,
        "Folders restored by key before the first step and saved after the job succeeded when the key missed: one cache or a list of up to 16.")
    {
        Children =
        [
            new("key", SyntaxKind.Text, "The cache's key, like nuget-${{ hashFiles('**/packages.lock.json') }}. May hold ${{ }} expressions reading matrix, env, inputs and hashFiles(globs…).") { Required = true },
            new("paths", SyntaxKind.TextList, "Folders to keep: relative to the workspace, or under the steps' home as ~/… (like ~/.nuget/packages). Never absolute, never with ...") { Required = true },
            new("restore-keys", SyntaxKind.TextList, "Prefixes tried in order when the key misses: the newest cache whose key starts with one is restored. May hold ${{ }} like the key."),
        ],
    };

    /// <summary><c>agent:</c> of a job: run an agent profile in the job's own worktree and branch.</summary>
    public static SyntaxKey AgentJob { get; } = new("agent", SyntaxKind.Object,
        "Run a coding agent (a profile under 'agents') on the job's own branch cairn/RUN-JOB, then the verify steps. Instead of steps.")
    {
        Children =
        [
            new("use", SyntaxKind.Text, "The agent profile's name under 'agents'.") { Required = true },
            new("prompt", SyntaxKind.Text, "The task, as written: ${{ }} is never expanded here, and trigger data reaches the agent only through 'inputs'.") { Required = true },
            new("inputs", SyntaxKind.ValueList, "Trigger data given to the agent as fenced, untrusted text after the prompt.") { AllowedValues = AgentInputs },
            new("verify", SyntaxKind.ObjectList, "Steps run after the agent in its worktree; a build, test or lint failure resumes the same agent session with the failing output when 'retry' allows.")
            {
                Children = Step.Children,
            },
        ],
    };

    /// <summary><c>approval:</c> of a job: a gate that waits for people.</summary>
    public static SyntaxKey Approval { get; } = new("approval", SyntaxKind.Object,
        "Wait until enough of the approvers approve (dashboard, CLI, API, a forge review or a tracker comment). Instead of steps.")
    {
        Children =
        [
            new("approvers", SyntaxKind.TextList, "Who may approve: user names, team:NAME, role:maintainer or role:admin.") { Required = true },
            new("min", SyntaxKind.Integer, "How many approvals open the gate; default 1.") { Minimum = 1, Maximum = 100 },
            new("timeout", SyntaxKind.Duration, "How long the gate waits before it fails; default 72h."),
        ],
    };

    /// <summary><c>publish:</c> of a job: push an agent job's branch and open a draft pull request.</summary>
    public static SyntaxKey Publish { get; } = new("publish", SyntaxKind.Object,
        "Push an agent job's branch with the server's token and open or update a pull request (draft by default). Cairn never merges. Instead of steps.")
    {
        Nullable = true,
        Children =
        [
            new("from", SyntaxKind.Text, "The agent job whose branch is published, among this job's needs and theirs; default: the one agent job no other of them follows."),
            new("pull-request", SyntaxKind.Object, "The pull request to open or update.")
            {
                Nullable = true,
                Children =
                [
                    new("draft", SyntaxKind.Boolean, "Open it as a draft; default true."),
                    new("title", SyntaxKind.Text, "Its title, as written; default: from the run."),
                    new("base", SyntaxKind.Text, "The branch it targets; default: the run's branch."),
                ],
            },
            new("protected-paths", SyntaxKind.TextList, "Globs the published change may not touch; default: .cairn.yml, .cairn/**, other CI systems' files and the agents' configuration files."),
        ],
    };

    /// <summary><c>agents:</c> at the top level: agent profiles by name.</summary>
    public static SyntaxKey Agents { get; } = new("agents", SyntaxKind.NamedObjects,
        "Coding-agent profiles by name, for the jobs' 'agent.use': which CLI, model, role, tools and limits.")
    {
        Listed = false,
        NamePattern = JobNamePattern,
        Children =
        [
            new("cli", SyntaxKind.Choice, "The agent's command-line program.") { Required = true, AllowedValues = Cairn.Core.Agents.AgentCliNames.All },
            new("model", SyntaxKind.Text, "The model, in the CLI's own spelling, like sonnet; default: the CLI's."),
            new("role", SyntaxKind.Text, "A file in the repository, read at the run's commit, appended to the CLI's own system prompt (never replacing it)."),
            new("allowed-tools", SyntaxKind.TextList, "Tools the agent may use, in the CLI's own spelling, like Read or \"Bash(dotnet test *)\"."),
            new("disallowed-tools", SyntaxKind.TextList, "Tools the agent may not use, in the CLI's own spelling."),
            new("limits", SyntaxKind.Object, "Limits of one agent run; past one the job fails as agent-limit.")
            {
                Children =
                [
                    new("max-turns", SyntaxKind.Integer, "How many turns the agent may take.") { Minimum = 1, Maximum = 10000 },
                    new("budget-usd", SyntaxKind.Decimal, "How many US dollars of the CLI's own cost estimate the run may spend."),
                    new("timeout", SyntaxKind.Duration, "How long the agent may run, like 30m."),
                    new("idle-timeout", SyntaxKind.Duration, "How long the agent may print nothing, like 5m."),
                ],
            },
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
            Artifacts,
            Cache,
            AgentJob,
            Approval,
            Publish,
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
            new("plane", SyntaxKind.Object, "Run for work items of a connected Plane project.")
            {
                Nullable = true,
                Children =
                [
                    new("events", SyntaxKind.ValueList, "Which work-item events start a run; default [workitem.created].") { AllowedValues = PlaneEvents },
                    new("labels", SyntaxKind.TextList, "Run only for work items carrying one of these labels (compared ignoring case); default: any."),
                ],
            },
            new("pull_request_review", SyntaxKind.Object, "Run when a review is submitted on a pull request.")
            {
                Nullable = true,
                Children =
                [
                    new("states", SyntaxKind.ValueList, "Which review states start a run; default: all.") { AllowedValues = ReviewStates },
                    new("branches", SyntaxKind.TextOrList, "Target branch globs of the pull request."),
                ],
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
            Agents,
            Job,
        ],
    };
}
