using System.Globalization;
using System.Text;
using Cairn.Core.Execution;

namespace Cairn.Executors.Kubernetes;

/// <summary>The programs a job's pod runs its steps with: <c>supervisor.sh</c> (the job container's command), the step
/// table it reads, and one <c>step-N.sh</c> per step. The supervisor is plain POSIX sh (dash, bash, busybox): it takes
/// the marker nonce from <c>CAIRN_STEP_NONCE</c> and drops it before any step runs, decides from the table whether each
/// step runs, runs it in a process group of its own under its timeout, and prints <see cref="StepMarkers"/> lines.</summary>
public static class SupervisorScript
{
    /// <summary>The supervisor's file name in the program directory.</summary>
    public const string SupervisorFile = "supervisor.sh";

    /// <summary>The step table's file name: one line per step, <c>INDEX WHEN TIMEOUT_SECONDS</c> (0: none).</summary>
    public const string TableFile = "steps";

    /// <summary>The variable the supervisor reads the marker nonce from (and unsets).</summary>
    public const string NonceVariable = "CAIRN_STEP_NONCE";

    /// <summary>How long the supervisor waits for a release file (<see cref="Supervisor"/>'s holds) before it gives up.</summary>
    public static TimeSpan HoldLimit { get; } = TimeSpan.FromMinutes(15);

    // Anchors in supervisor.sh the holds go after: the TERM trap (before the first step) and the last marker.
    private const string BeforeStepsAnchor = "trap c_stop TERM\n";
    private const string AfterStepsAnchor = "echo \"${P}done\"\n";

    private static readonly Lazy<string> Template = new(() =>
    {
        using var stream = typeof(SupervisorScript).Assembly.GetManifestResourceStream("Cairn.Executors.Kubernetes.supervisor.sh")
            ?? throw new InvalidOperationException("the supervisor script is missing from the assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    /// <summary>The file step <paramref name="index"/>'s script is in.</summary>
    public static string StepFile(int index) => string.Create(CultureInfo.InvariantCulture, $"step-{index}.sh");

    /// <summary>Every program file, by name, in a stable order: the supervisor, the table, then the steps.</summary>
    /// <param name="programDirectory">Where the files will be (<c>/cairn</c> in the pod).</param>
    /// <param name="workspace">The folder steps run in.</param>
    /// <param name="grace">How long a stopped step gets between SIGTERM and SIGKILL.</param>
    /// <param name="holdBefore">A file the supervisor waits for before the first step; null: none.</param>
    /// <param name="holdAfter">A file the supervisor waits for after the last step, before it exits; null: none.</param>
    public static IReadOnlyList<KeyValuePair<string, string>> Render(JobSpec job, string programDirectory, string workspace, TimeSpan grace,
        string? holdBefore = null, string? holdAfter = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        var files = new List<KeyValuePair<string, string>>
        {
            new(SupervisorFile, Supervisor(programDirectory, workspace, grace, holdBefore, holdAfter)),
            new(TableFile, Table(job)),
        };
        files.AddRange(job.Steps.Select(step => new KeyValuePair<string, string>(StepFile(step.Index), Step(step))));
        return files;
    }

    /// <summary>The supervisor script for a program directory, workspace and stop grace. With <paramref name="holdBefore"/>
    /// it waits (at most <see cref="HoldLimit"/>, else it fails the job with a line saying so) until that file exists
    /// before the first step: what the job brings in is extracted meanwhile. With <paramref name="holdAfter"/> it waits
    /// (bounded alike) for that file after the last step's marker before it exits, so the container still runs while
    /// what the job keeps is archived. Without either, the script is exactly the template.</summary>
    public static string Supervisor(string programDirectory, string workspace, TimeSpan grace, string? holdBefore = null, string? holdAfter = null)
    {
        var script = "#!/bin/sh\n" + Template.Value
            .Replace("\r\n", "\n", StringComparison.Ordinal)
            .Replace("@PROGRAMS@", Quote(programDirectory), StringComparison.Ordinal)
            .Replace("@WORKSPACE@", Quote(workspace), StringComparison.Ordinal)
            .Replace("@GRACE@", Seconds(grace).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        if (holdBefore is null && holdAfter is null)
        {
            return script;
        }

        var limit = Seconds(HoldLimit).ToString(CultureInfo.InvariantCulture);
        var hold = "# Waits (at most " + limit + " s) for file $1 to exist.\n"
            + "c_hold() {\n"
            + "  h_n=0\n"
            + "  while [ ! -e \"$1\" ]; do\n"
            + "    [ \"$h_n\" -lt " + limit + " ] || return 1\n"
            + "    sleep 1\n"
            + "    h_n=$((h_n + 1))\n"
            + "  done\n"
            + "}\n";
        if (holdBefore is not null)
        {
            hold += "c_hold " + Quote(holdBefore) + " || { echo \"cairn: the job's files were not brought in within " + limit
                + " s; no step ran\" >&2; exit 1; }\n";
        }

        script = script.Replace(BeforeStepsAnchor, BeforeStepsAnchor + hold, StringComparison.Ordinal);
        if (holdAfter is not null)
        {
            script = script.Replace(AfterStepsAnchor, AfterStepsAnchor + "c_hold " + Quote(holdAfter)
                + " || echo \"cairn: the job's files were not taken out within " + limit + " s\" >&2\n", StringComparison.Ordinal);
        }

        return script;
    }

    /// <summary>The step table: when each step runs, decided here with the same conditions every executor uses.
    /// <c>success</c>: while every step so far passed; <c>failure</c>: once one failed; <c>always</c>; <c>never</c>;
    /// <c>invalid</c>: the condition cannot be evaluated, so the step is skipped and counts as failed.</summary>
    public static string Table(JobSpec job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var table = new StringBuilder();
        foreach (var step in job.Steps)
        {
            var whenPassed = StepCondition.ShouldRun(job, step, anyFailed: false, cancelled: false, out var invalidPassed);
            var whenFailed = StepCondition.ShouldRun(job, step, anyFailed: true, cancelled: false, out var invalidFailed);
            var when = (invalidPassed ?? invalidFailed) is not null ? "invalid"
                : (whenPassed, whenFailed) switch
                {
                    (true, true) => "always",
                    (true, false) => "success",
                    (false, true) => "failure",
                    _ => "never",
                };
            var timeout = step.Timeout is { } t && t > TimeSpan.Zero ? Seconds(t) : 0;
            table.Append(CultureInfo.InvariantCulture, $"{step.Index} {when} {timeout}\n");
        }

        return table.ToString();
    }

    /// <summary>One step's script: its own variables exported, then its <c>run:</c>.</summary>
    public static string Step(StepSpec step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var script = new StringBuilder();
        foreach (var (name, value) in step.Env.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (StepEnvironmentPolicy.IsVariableName(name))
            {
                script.Append("export ").Append(name).Append('=').Append(Quote(value)).Append('\n');
            }
        }

        script.Append(step.Run.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (!step.Run.EndsWith('\n'))
        {
            script.Append('\n');
        }

        return script.ToString();
    }

    /// <summary>A value as one single-quoted sh word.</summary>
    public static string Quote(string value) =>
        "'" + value.Replace("\0", "", StringComparison.Ordinal).Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static long Seconds(TimeSpan span) => Math.Max(1, (long)Math.Ceiling(span.TotalSeconds));
}
