using System.CommandLine;
using System.Globalization;
using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Pipelines;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Executors.Fake;
using Cairn.Executors.Shell;
using Cairn.Server.Hosting;
using Cairn.Storage;
using Cairn.Workers;

namespace Cairn.Cli.Commands;

/// <summary>What <c>cairn worker</c> was asked to do.</summary>
internal sealed record WorkerRequest(
    string Store,
    string Connection,
    int Concurrency,
    IReadOnlyCollection<string> Labels,
    TimeSpan Lease,
    TimeSpan Heartbeat,
    TimeSpan ReapInterval,
    TimeSpan Grace,
    string WorkspaceRoot,
    string Executor,
    TimeSpan FakeDelay,
    string? Runners,
    StepIsolation Isolation)
{
    /// <summary>The <c>--kubeconfig</c> file, if given.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Where attempts log (JSON lines with <c>--log-format json</c>); null: nowhere besides the console lines.</summary>
    public Microsoft.Extensions.Logging.ILogger? Log { get; init; }
}

/// <summary><c>cairn worker</c>: leases jobs from a shared store and runs them, with a lease reaper, until SIGINT or
/// SIGTERM; any number of these (and of servers) share one store. With <c>--server</c> it leases from a Cairn server
/// over HTTP instead, holding only a worker token (<see cref="RemoteWorker"/>).</summary>
internal static class WorkerCommand
{
    public static Command Create(CancellationToken stopping, CancellationToken kill)
    {
        var store = new Option<string>("--store")
        {
            Description = "Where runs are kept: sqlite or postgres (default: $CAIRN_STORE, else sqlite)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CAIRN_STORE") is { Length: > 0 } value ? value : "sqlite",
        };
        store.AcceptOnlyFromAmong("sqlite", "postgres");
        var connection = new Option<string?>("--connection")
        {
            Description = "The SQLite file, or a PostgreSQL connection string (default: $CAIRN_CONNECTION)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CAIRN_CONNECTION"),
        };
        var concurrency = CommonArguments.Count("--concurrency", "-c", "How many jobs this worker runs at once", 1, () => Environment.ProcessorCount);
        var jobNice = CommonArguments.Count(
            "--job-nice", null, $"How many steps of nice value above this worker's its jobs' processes get, 0 to {ProcessPriority.Lowest} (0: the same priority)",
            0, () => ServerSettings.DefaultJobNice, maximum: ProcessPriority.Lowest);
        var labels = new Option<string?>("--labels") { Description = "Labels this worker offers, comma-separated: it takes jobs whose labels it all has (with --server, by default every label the server gave this worker)" };
        var lease = DurationOption("--lease", "How long a job's lease lasts without a heartbeat", TimeSpan.FromSeconds(30));
        var heartbeat = DurationOption("--heartbeat", "How often a running job's lease is extended", TimeSpan.FromSeconds(10));
        var reap = DurationOption("--reap-interval", "How often expired leases are looked for", LeaseReaper.DefaultInterval);
        var grace = DurationOption("--grace", "On SIGINT or SIGTERM, how long running jobs may go on before they are cancelled", TimeSpan.FromSeconds(30));
        var workspaceRoot = new Option<string>("--workspace-root")
        {
            Description = "Where each job gets a fresh scratch directory",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "cairn-workspaces"),
        };
        var executor = new Option<string>("--executor") { Hidden = true, DefaultValueFactory = _ => "shell" };
        executor.AcceptOnlyFromAmong("shell", "fake");
        var fakeDelay = DurationOption("--fake-delay", "", TimeSpan.Zero);
        fakeDelay.Hidden = true;
        var runners = new Option<string?>("--runners") { Description = "A runner file: the aliases jobs name with runner: (default: jobs with an image run in a container, others on the shell)" };
        var kubeconfig = new Option<string?>("--kubeconfig")
        {
            Description = "The kubeconfig of the cluster that jobs on executor: kubernetes runners run in (default: KUBECONFIG, else the pod's service account, else ~/.kube/config)",
        };
        var passEnv = new Option<string[]>("--pass-env")
        {
            Description = "A variable of this worker's environment that every step gets (repeatable; or CAIRN_PASS_ENV, comma-separated)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var stepPath = new Option<string>("--step-path")
        {
            Description = "The PATH steps get",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CAIRN_STEP_PATH") is { Length: > 0 } value ? value : StepEnvironmentPolicy.DefaultPath,
        };
        var jobUser = new Option<string?>("--job-user")
        {
            Description = "The user shell steps run as when the worker runs as root (default: cairn-job if it exists, else nobody; or CAIRN_JOB_USER)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CAIRN_JOB_USER") is { Length: > 0 } value ? value : null,
        };

        var server = new Option<string?>("--server") { Description = "A Cairn server's URL: lease jobs from it over HTTP with a worker token, instead of from a store" };
        var tokenFile = new Option<string?>("--token-file") { Description = "The file holding this worker's token (cairn workers add), with --server" };
        var callTimeout = DurationOption("--call-timeout", "With --server, how long one call to the server may take (a long poll gets its wait on top)", TimeSpan.FromSeconds(30));
        var logFormat = new Option<string>("--log-format")
        {
            Description = "text (default) or json: with json, a JSON line as each job is leased and ends, with run_id, job_id and trace_id (or CAIRN_LOG_FORMAT)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CAIRN_LOG_FORMAT") is { Length: > 0 } value ? value : "text",
        };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var spoolDir = new Option<string?>("--spool-dir") { Description = "With --server, where job logs wait on disk while the server is away (default: WORKSPACE_ROOT/.spool)" };

        var command = new Command("worker", "Run jobs from a shared store, or from a Cairn server (--server), until stopped (SIGINT/SIGTERM)")
        {
            store, connection, concurrency, labels, lease, heartbeat, reap, grace, workspaceRoot, executor, fakeDelay, runners,
            passEnv, stepPath, jobUser, jobNice, server, tokenFile, callTimeout, spoolDir, kubeconfig, logFormat,
        };
        command.SetAction(async (parse, _) =>
        {
            var remote = parse.GetValue(server);
            if (remote is not null && (parse.GetResult(connection) is { Implicit: false } || parse.GetResult(store) is { Implicit: false }))
            {
                await Console.Error.WriteLineAsync("error: --server and --connection/--store exclude each other: a worker takes its jobs from a Cairn server over HTTP, or from the store itself");
                return ExitCodes.Usage;
            }

            if (remote is not null && (parse.GetResult(lease) is { Implicit: false } || parse.GetResult(reap) is { Implicit: false }))
            {
                await Console.Error.WriteLineAsync("error: with --server the server sets how long a lease lasts and reaps lost ones: --lease and --reap-interval are for a worker on the store");
                return ExitCodes.Usage;
            }

            if (remote is null && new Option[] { tokenFile, callTimeout, spoolDir }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } remoteOnly)
            {
                await Console.Error.WriteLineAsync($"error: {remoteOnly.Name} is for a worker with --server");
                return ExitCodes.Usage;
            }

            if (remote is null && parse.GetValue(connection) is not { Length: > 0 })
            {
                await Console.Error.WriteLineAsync("error: say where the store is, with --connection or CAIRN_CONNECTION");
                return ExitCodes.Usage;
            }

            var passed = (parse.GetValue(passEnv) is { Length: > 0 } given ? given : (Environment.GetEnvironmentVariable("CAIRN_PASS_ENV") ?? "").Split(','))
                .SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            if (passed.FirstOrDefault(n => !StepEnvironmentPolicy.IsVariableName(n)) is { } badName)
            {
                await Console.Error.WriteLineAsync($"error: --pass-env: '{badName}' is not a variable name (letters, digits and _, not starting with a digit)");
                return ExitCodes.Usage;
            }

            if (KubernetesSetup.Problem(parse.GetValue(kubeconfig)) is { } noKubeconfig)
            {
                await Console.Error.WriteLineAsync($"error: {noKubeconfig}");
                return ExitCodes.Usage;
            }

            using var telemetry = WorkerTelemetry.Start(parse.GetValue(logFormat) == "json");
            var cluster = parse.GetValue(kubeconfig) is { } kubeconfigFile ? Path.GetFullPath(kubeconfigFile) : null;
            var root = Path.GetFullPath(parse.GetValue(workspaceRoot)!);
            var isolation = StepIsolation.Host(parse.GetValue(stepPath)!, passed, parse.GetValue(jobUser), root, parse.GetValue(jobNice));
            if (remote is not null)
            {
                return await RunRemoteAsync(remote, parse.GetValue(tokenFile), parse.GetValue(spoolDir), root, RemoteRequest, stopping, kill);
            }

            RemoteWorkerRequest RemoteRequest(Uri url, string token, string spool) => new(
                url,
                token,
                parse.GetValue(concurrency),
                (parse.GetValue(labels) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                parse.GetValue(heartbeat),
                parse.GetValue(grace),
                parse.GetValue(callTimeout),
                root,
                spool,
                parse.GetValue(executor)!,
                parse.GetValue(fakeDelay),
                parse.GetValue(runners),
                isolation) { Kubeconfig = cluster, Log = telemetry.Log };

            var target = parse.GetValue(connection)!;
            var request = new WorkerRequest(
                parse.GetValue(store)!,
                target,
                parse.GetValue(concurrency),
                (parse.GetValue(labels) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                parse.GetValue(lease),
                parse.GetValue(heartbeat),
                parse.GetValue(reap),
                parse.GetValue(grace),
                root,
                parse.GetValue(executor)!,
                parse.GetValue(fakeDelay),
                parse.GetValue(runners),
                isolation) { Kubeconfig = cluster, Log = telemetry.Log };
            if (request.Heartbeat >= request.Lease)
            {
                await Console.Error.WriteLineAsync("error: --heartbeat must be shorter than --lease, or every lease would expire between beats");
                return ExitCodes.Usage;
            }

            foreach (var warning in ProcessHardening.Apply(parse.GetResult(connection) is { Implicit: false } ? target : null).Lines)
            {
                await Console.Error.WriteLineAsync($"cairn worker: {warning}");
            }

            return await RunAsync(request, stopping, kill);
        });
        return command;
    }

    private static async Task<int> RunRemoteAsync(
        string serverText,
        string? tokenFile,
        string? spoolDir,
        string root,
        Func<Uri, string, string, RemoteWorkerRequest> request,
        CancellationToken stopping,
        CancellationToken kill)
    {
        if (RemoteWorker.ParseServer(serverText, out var problem, out var plainHttp) is not { } url)
        {
            await Console.Error.WriteLineAsync($"error: {problem}");
            return ExitCodes.Usage;
        }

        if (tokenFile is null)
        {
            await Console.Error.WriteLineAsync("error: --server needs --token-file: the file holding this worker's token (cairn workers add)");
            return ExitCodes.Usage;
        }

        if (WorkerTokenFile.Read(tokenFile, out var tokenProblem, out var tokenWarning) is not { } token)
        {
            await Console.Error.WriteLineAsync($"error: {tokenProblem}");
            return ExitCodes.Usage;
        }

        foreach (var line in new[] { plainHttp, tokenWarning is null ? null : $"warning: {tokenWarning}" }.OfType<string>()
            .Concat(ProcessHardening.Apply(null).Lines))
        {
            await Console.Error.WriteLineAsync($"cairn worker: {line}");
        }

        var spool = Path.GetFullPath(spoolDir ?? Path.Combine(root, ".spool"));
        return await RemoteWorker.RunAsync(request(url, token, spool), stopping, kill);
    }

    private static async Task<int> RunAsync(WorkerRequest request, CancellationToken stopping, CancellationToken kill)
    {
        var time = TimeProvider.System;
        if (await RunnerFile.LoadAsync(request.Runners, Console.Error) is not { } catalog)
        {
            return ExitCodes.Usage;
        }

        Directory.CreateDirectory(request.WorkspaceRoot);
        await using var store = await OpenStoreAsync(request, time);
        if (store is null)
        {
            return ExitCodes.Usage;
        }

        // The ping has its own time limit; a stop during start-up is handled by the pool, which then leases nothing.
        var kubernetes = new KubernetesSetup(catalog, request.Kubeconfig, KubernetesSetup.WorkerOwner);
        using var executors = await LocalExecutors.ConnectAsync(request.Isolation, kubernetes, time, CancellationToken.None);
        IExecutorResolver resolver = request.Executor == "fake"
            ? new SingleExecutorResolver(new FakeExecutor(time) { DefaultBehavior = FakeJobBehavior.Succeed with { Delay = request.FakeDelay } })
            : executors.Resolver(catalog, ExecutorMode.Auto, strict: true);
        var name = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}");
        var coordinator = new RunCoordinator(store, time);
        var services = new JobWorkerContextBuilder
        {
            Coordinator = coordinator,
            Executors = resolver,
            Workspaces = new ScratchWorkspaceProvider(request.WorkspaceRoot),
            Secrets = InMemorySecretSource.Empty,
            Observer = new WorkerConsole(Console.Out),
            Log = request.Log,
            Time = time,
        }.Build(store);
        var reaper = new LeaseReaper(store, store, coordinator, services.Retry, time);
        var pool = new WorkerPool(services, new WorkerPoolOptions(name, request.Concurrency, request.Labels)
        {
            Heartbeat = request.Heartbeat,
            ReapInterval = request.ReapInterval,
            Grace = request.Grace,
        }, reaper);
        pool.WorkerFaulted += (worker, error) => Console.Error.WriteLine($"cairn worker: {worker} failed and starts again: {error.Message}");
        reaper.Reaped += (lease, completion) => Console.Out.WriteLine(
            $"job {lease.JobId} ({lease.Job.Name}) reclaimed from {lease.WorkerId}: {(completion.RetryAt is null ? "failed" : "queued again")}");

        pool.Draining += () => Console.Error.WriteLine(
            $"cairn worker: stopping: no new jobs; running jobs get {Duration.Format(request.Grace)} (again to cancel them now)");
        await using var onKill = kill.Register(executors.KillAllNow);
        await Console.Out.WriteLineAsync(
            $"cairn worker {name}: {request.Concurrency} at once on {request.Store}, " +
            $"lease {Duration.Format(request.Lease)}, heartbeat {Duration.Format(request.Heartbeat)}" +
            (request.Labels.Count > 0 ? $", labels {string.Join(',', request.Labels)}" : "") +
            $"; {executors.Describe()}");
        var (steps, isWarning) = request.Isolation.Describe();
        await (isWarning ? Console.Error : Console.Out).WriteLineAsync($"cairn worker {name}: {steps}");
        if (executors.KubernetesWarning(kubernetes) is { } noCluster)
        {
            await Console.Error.WriteLineAsync($"cairn worker {name}: {noCluster}");
        }

        using var janitorStop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var janitor = executors.Kubernetes is { } cluster
            ? kubernetes.RunJanitorAsync(cluster, store, $"cairn worker {name}", Console.Out, Console.Error, janitorStop.Token)
            : Task.CompletedTask;
        await pool.RunAsync(stopping, kill);
        await janitorStop.CancelAsync();
        await janitor;
        await Console.Out.WriteLineAsync($"cairn worker {name}: stopped");
        return ExitCodes.Succeeded;
    }

    private static async Task<ICairnStore?> OpenStoreAsync(WorkerRequest request, TimeProvider time)
    {
        var connection = request.Store == RunStores.Sqlite ? Path.GetFullPath(request.Connection) : request.Connection;
        try
        {
            return await RunStores.OpenAsync(new StoreSettings(request.Store, connection, request.Lease), time, CancellationToken.None);
        }
        catch (StoreConfigurationException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}");
            return null;
        }
    }

    private static Option<TimeSpan> DurationOption(string name, string description, TimeSpan fallback) => new(name)
    {
        Description = $"{description} (default {Duration.Format(fallback)})",
        DefaultValueFactory = _ => fallback,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Duration.TryParse(text, out var value, out var error) && value > TimeSpan.Zero)
            {
                return value;
            }

            result.AddError($"{name}: {error ?? $"'{text}' is not a positive duration"}");
            return fallback;
        },
    };

    /// <summary>One line per finished attempt on stdout: what a person tailing a worker wants to see.</summary>
    internal sealed class WorkerConsole(TextWriter output) : IRunObserver
    {
        public void JobStarted(JobRecord job)
        {
        }

        public void StepStarted(JobRecord job, StepSpec step, DateTimeOffset at)
        {
        }

        public void Log(JobRecord job, StoredLogLine line)
        {
        }

        public void StepFinished(JobRecord job, StepSpec step, StepOutcome outcome)
        {
        }

        public void JobFinished(JobRecord job, JobCompletion completion)
        {
            var took = Output.Durations.Short(completion.FinishedAt - completion.StartedAt);
            var how = completion switch
            {
                { RetryAt: not null } => $"failed ({completion.FailureClass?.ToWire()}), will be retried: {completion.Detail}",
                { Status: JobStatus.Failed } => $"failed ({completion.FailureClass?.ToWire()}): {completion.Detail}",
                _ => completion.Status.ToWire(),
            };
            output.WriteLine($"job {job.Id} ({job.Name}) of run {job.RunId}, attempt {job.Attempt}: {how} in {took}");
        }
    }
}
