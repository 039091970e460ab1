using System.CommandLine;
using Cairn.Cli.Output;
using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Executors.Kubernetes;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn pod-spec PATH --job NAME --runners FILE</c>: the Pod and the Secret the kubernetes executor would
/// make for one job, as YAML, with placeholders where secret values, the nonce and the source token and URL go.</summary>
internal static class PodSpecCommand
{
    /// <summary>The name the preview gives the pod and its Secret (the executor names them per attempt).</summary>
    public const string PreviewName = "cairn-preview";

    public static Command Create()
    {
        var path = CommonArguments.PipelinePath();
        var job = new Option<string>("--job") { Description = "The job (a job key, or a matrix job's full name as runs show it)", Required = true };
        var runners = new Option<string>("--runners") { Description = "The runner file naming the job's kubernetes runner", Required = true, HelpName = "FILE" };
        var command = new Command("pod-spec", "Print the Pod and Secret a job would run as on a kubernetes runner") { path, job, runners };
        command.SetAction(async (parse, cancellationToken) => await RunAsync(
            parse.GetValue(path)!, parse.GetValue(job)!, parse.GetValue(runners)!, Console.Out, Terminal.Writer(Terminal.Stream.Error), cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string path, string jobName, string runnerFile, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (await RunnerFile.LoadAsync(runnerFile, stderr) is not { } catalog)
        {
            return ExitCodes.Usage;
        }

        var (file, locateError) = PipelineFile.Locate(path);
        if (file is null)
        {
            await stderr.WriteLineAsync($"error: {locateError}");
            return ExitCodes.Usage;
        }

        var loaded = PipelineFile.Load(file);
        if (!loaded.IsValid)
        {
            foreach (var error in loaded.Errors)
            {
                await stderr.WriteLineAsync(error.ToString());
            }

            return ExitCodes.Usage;
        }

        var (gitRef, sha, repository) = LocalGit.Describe(Path.GetDirectoryName(file)!);
        var trigger = TriggerEvent.Manual(repository, gitRef, sha, new Dictionary<string, string>());
        var planned = RunPlanner.Plan(loaded.Pipeline!, trigger, new PlanOptions(Runners: catalog));
        if (planned.Plan is null)
        {
            foreach (var error in planned.Errors)
            {
                await stderr.WriteLineAsync($"error: {error}");
            }

            return ExitCodes.Usage;
        }

        var jobs = planned.Plan.Jobs;
        var index = jobs.ToList().FindIndex(j => j.Name == jobName);
        if (index < 0)
        {
            await stderr.WriteLineAsync($"error: unknown job '{jobName}' (jobs: {string.Join(", ", jobs.Select(j => j.Name))})");
            return ExitCodes.Usage;
        }

        var planned1 = jobs[index];
        var definition = JobDefinitionJson.Deserialize(planned1.Definition);
        var alias = catalog.AliasFor(definition.Runner);
        if (alias?.Kubernetes is not { } pod)
        {
            var runner = definition.Runner ?? alias?.Name;
            await stderr.WriteLineAsync(runner is null
                ? $"error: job '{jobName}' names no runner and {runnerFile} has no default; pod-spec needs a runner with executor: kubernetes"
                : alias is null
                    ? $"error: job '{jobName}' runs on runner '{runner}', which {runnerFile} does not define ({catalog.UnknownRunner(runner)})"
                    : $"error: job '{jobName}' runs on runner '{runner}', which uses the {alias.Executor} executor; pod-spec needs one with executor: kubernetes");
            return ExitCodes.Usage;
        }

        var spec = Spec(trigger, planned1, index, definition, alias, pod);
        JobManifests manifests;
        try
        {
            manifests = KubernetesManifests.Build(spec, new PodIdentity(PreviewName, pod.Namespace, "", "cairn-pod-spec"), new KubernetesExecutorOptions(), placeholders: true);
        }
        catch (ArgumentException error)
        {
            await stderr.WriteLineAsync($"error: {error.Message.Split(" (Parameter", 2)[0]}");
            return ExitCodes.Usage;
        }

        await stdout.WriteAsync(KubernetesManifests.Yaml(manifests).AsMemory(), cancellationToken);
        return ExitCodes.Succeeded;
    }

    private static JobSpec Spec(TriggerEvent trigger, PlannedJob planned, int index, JobDefinitionJson definition, RunnerAlias alias, KubernetesRunnerOptions pod)
    {
        var run = new RunRecord(1, "preview", trigger.EventName, trigger.Ref, trigger.Sha, trigger.Repository, RunStatus.Running, DateTimeOffset.UnixEpoch, null, null);
        var job = new JobRecord(index + 1, 1, planned.Name, planned.Key, planned.Needs, planned.Labels, JobStatus.Running, 1, null, null, null, null, null, planned.Definition);
        var secrets = definition.Secrets.Distinct(StringComparer.Ordinal).ToDictionary(n => n, n => $"<secret {n}>", StringComparer.Ordinal);
        var choice = new ExecutorChoice(null, null) { Resources = alias.Resources, Image = alias.Image, User = alias.User, PassEnv = alias.PassEnv, Kubernetes = pod };
        var spec = JobSpecBuilder.Build(run, job, 1, definition, KubernetesManifests.WorkspacePath, secrets, choice);
        return spec with
        {
            Kubernetes = pod,
            SecretNames = [.. secrets.Keys],
            Source = trigger.Sha is { Length: > 0 } commit
                ? new JobSource(new Uri("http://source.invalid/"), commit, "")
                : null,
        };
    }
}
