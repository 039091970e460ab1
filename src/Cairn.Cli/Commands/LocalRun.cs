using Cairn.Cli.Output;
using Cairn.Core.Engine;
using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Server.Hosting;
using Cairn.Storage.Sqlite;

namespace Cairn.Cli.Commands;

/// <summary>What <c>cairn run</c> was asked to do.</summary>
internal sealed record LocalRunRequest(
    string Path,
    string? Job,
    int Parallel,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyDictionary<string, string> Inputs,
    IReadOnlyDictionary<string, string> Secrets,
    bool Json,
    string? Runners = null,
    ExecutorMode Executor = ExecutorMode.Auto,
    bool CleanEnv = false,
    bool Approve = false);

/// <summary>A local run: the planner, coordinator and workers in this process on a throw-away SQLite file,
/// executors chosen by runner alias (the shell, and containers when an engine answers), and the console as the log follower.</summary>
internal static class LocalRun
{
    /// <param name="cancellation">Cancels the run: running steps are stopped with a grace period.</param>
    /// <param name="kill">Kills running steps at once (after <paramref name="cancellation"/>).</param>
    public static async Task<int> ExecuteAsync(
        LocalRunRequest request, TextWriter stdout, TextWriter stderr, CancellationToken cancellation, CancellationToken kill)
    {
        // The store does not depend on the pipeline: it is opened (SQLite loaded, the schema built) on another thread
        // while this one reads and plans the pipeline, which on a 2-core host takes about as long.
        var scratch = Directory.CreateTempSubdirectory("cairn-run-");
        try
        {
            await using var opening = new ScratchStore(Path.Combine(scratch.FullName, "run.db"), TimeProvider.System);
            return await RunAsync(request, scratch, opening, stdout, stderr, cancellation, kill);
        }
        finally
        {
            TryDelete(scratch);
        }
    }

    private static async Task<int> RunAsync(
        LocalRunRequest request, DirectoryInfo scratch, ScratchStore opening, TextWriter stdout, TextWriter stderr, CancellationToken cancellation, CancellationToken kill)
    {
        if (await RunnerFile.LoadAsync(request.Runners, stderr) is not { } catalog)
        {
            return ExitCodes.Usage;
        }

        var (file, locateError) = PipelineFile.Locate(request.Path);
        if (file is null)
        {
            await stderr.WriteLineAsync($"error: {locateError}");
            return ExitCodes.Usage;
        }

        var loaded = PipelineFile.Load(file);
        foreach (var warning in loaded.Warnings)
        {
            await stderr.WriteLineAsync(warning.ToString());
        }

        if (!loaded.IsValid)
        {
            foreach (var error in loaded.Errors)
            {
                await stderr.WriteLineAsync(error.ToString());
            }

            return ExitCodes.Usage;
        }

        var workspace = Path.GetDirectoryName(file)!;
        var (gitRef, sha, repository) = LocalGit.Describe(workspace);
        var trigger = TriggerEvent.Manual(repository, gitRef, sha, request.Inputs);
        var planned = RunPlanner.Plan(loaded.Pipeline!, trigger, new PlanOptions(request.Env, request.Job, catalog));
        if (planned.Plan is null)
        {
            foreach (var error in planned.Errors)
            {
                await stderr.WriteLineAsync($"error: {error}");
            }

            return ExitCodes.Usage;
        }

        var logs = request.Json ? stderr : stdout;
        var color = Terminal.SupportsColor(request.Json ? Terminal.Stream.Error : Terminal.Stream.Output);
        var time = TimeProvider.System;
        using var executors = await LocalExecutors.ConnectAsync(
            planned.Plan, catalog, request.Executor, StepIsolation.Local(request.CleanEnv), time, cancellation);
        var store = await opening.Store;
        await using var stashes = await LocalStashes.OpenAsync(store, scratch.FullName, stderr, time);
        RunRecord run;
        IReadOnlyList<JobRecord> jobs;
        await using (var console = new ConsoleRunObserver(logs, color))
        {
            await using var onKill = kill.Register(executors.KillAllNow);
            var gates = new LocalGates(store, store, LocalGates.ModeFor(request.Approve, request.Json), Environment.UserName, stderr, Console.In, time);
            var coordinator = new RunCoordinator(store, time, gates);
            gates.Coordinator = coordinator;
            var services = new JobWorkerContextBuilder
            {
                Coordinator = coordinator,
                Executors = LocalPublishExecutor.Wrap(executors.WithAgents(catalog, request.Executor, Path.Combine(scratch.FullName, "agents"), time, branchesInWorkspace: true), time),
                Workspaces = new FixedWorkspaceProvider(workspace),
                Secrets = new InMemorySecretSource(request.Secrets),
                Observer = console,
                Time = time,
                Stashes = stashes,
            }.Build(store);
            run = await new InProcessRunHost(services, request.Parallel).ExecuteAsync(planned.Plan, cancellation);
            jobs = await store.GetJobsAsync(run.Id, CancellationToken.None);
        }

        if (request.Json)
        {
            await stdout.WriteLineAsync(RunSummary.Json(run, jobs));
        }
        else
        {
            await stdout.WriteLineAsync();
            await stdout.WriteLineAsync(RunSummary.Table(run, jobs, color));
        }

        return run.Status switch
        {
            RunStatus.Succeeded => ExitCodes.Succeeded,
            RunStatus.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.Failed,
        };
    }

    /// <summary>The run's throw-away store, opened on a pool thread from the start; closed once the command ends, whether
    /// or not it got as far as using it.</summary>
    private sealed class ScratchStore(string path, TimeProvider time) : IAsyncDisposable
    {
        private readonly Task<SqliteRunStore> _opening =
            Task.Run(() => SqliteRunStore.OpenAsync(new SqliteStoreOptions { Path = path }, time, CancellationToken.None));

        /// <summary>The open store; throws what opening it threw.</summary>
        public Task<SqliteRunStore> Store => _opening;

        public async ValueTask DisposeAsync()
        {
            SqliteRunStore store;
            try
            {
                store = await _opening;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Nothing was opened; whoever awaited the store has said why, and a command that stopped before it did
                // (a usage error) has nothing to say about it.
                return;
            }

            await store.DisposeAsync();
        }
    }

    private static void TryDelete(DirectoryInfo directory)
    {
        try
        {
            directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
