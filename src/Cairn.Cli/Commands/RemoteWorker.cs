using System.Net;
using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Pipelines;
using Cairn.Core.Runners;
using Cairn.Executors.Fake;
using Cairn.Workers;

namespace Cairn.Cli.Commands;

/// <summary>What <c>cairn worker --server</c> was asked to do.</summary>
internal sealed record RemoteWorkerRequest(
    Uri Server,
    string Token,
    int Concurrency,
    IReadOnlyCollection<string> Labels,
    TimeSpan Heartbeat,
    TimeSpan Grace,
    TimeSpan CallTimeout,
    string WorkspaceRoot,
    string SpoolDirectory,
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

/// <summary><c>cairn worker --server URL --token-file FILE</c>: leases jobs from a Cairn server over HTTP, holding nothing
/// but its worker token, and runs them as a direct-store worker does. The server reaps and moves runs on.</summary>
internal static class RemoteWorker
{
    /// <summary>The server's URL, or null with why it is none.</summary>
    public static Uri? ParseServer(string text, out string? problem, out string? warning)
    {
        problem = warning = null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var server) || (server.Scheme != Uri.UriSchemeHttp && server.Scheme != Uri.UriSchemeHttps))
        {
            problem = $"--server: '{text}' is not an absolute http:// or https:// URL";
            return null;
        }

        if (server.Scheme == Uri.UriSchemeHttp && !IsLoopback(server))
        {
            warning = $"warning: {server.Host} is reached over plain http: this worker's token and its jobs' secrets travel unencrypted";
        }

        return server;
    }

    public static async Task<int> RunAsync(RemoteWorkerRequest request, CancellationToken stopping, CancellationToken kill)
    {
        var time = TimeProvider.System;
        if (await RunnerFile.LoadAsync(request.Runners, Console.Error) is not { } catalog)
        {
            return ExitCodes.Usage;
        }

        Directory.CreateDirectory(request.WorkspaceRoot);
        using var connection = new WorkerConnection(new WorkerConnectionOptions(request.Server, request.Token)
        {
            CallTimeout = request.CallTimeout,
            Log = Console.Error,
        });

        // A refused token ends the whole process: nothing it would do could succeed.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping, connection.Refused);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(kill, connection.Refused);
        var kubernetes = new KubernetesSetup(catalog, request.Kubeconfig, KubernetesSetup.WorkerOwner);
        using var executors = await LocalExecutors.ConnectAsync(request.Isolation, kubernetes, time, CancellationToken.None);
        IExecutorResolver resolver = request.Executor == "fake"
            ? new SingleExecutorResolver(new FakeExecutor(time) { DefaultBehavior = FakeJobBehavior.Succeed with { Delay = request.FakeDelay } })
            : executors.Resolver(catalog, ExecutorMode.Auto, strict: true);
        var leases = new RemoteLeases();
        var instance = RemoteQueueOptions.NewInstance();
        using var spool = SpoolClaim.Take(request.SpoolDirectory, instance);
        foreach (var dead in spool.Swept)
        {
            await Console.Error.WriteLineAsync($"cairn worker: removed {dead}, the spool of a worker process that is gone (the server reaped its leases)");
        }

        var queueOptions = new RemoteQueueOptions(instance, spool.Directory, new SpoolBudget())
        {
            OfferIdentityLabels = request.Labels.Count == 0,
        };
        var services = new JobWorkerContext(
            Queue: new RemoteJobQueue(connection, leases, queueOptions, Console.Error),
            Store: new RemoteAttemptStore(leases, connection),
            Coordinator: new ServerAdvancesRuns(),
            Executors: resolver,
            Workspaces: new RemoteSourceWorkspace(request.WorkspaceRoot, connection, leases),
            Secrets: new RemoteSecretSource(connection, leases),
            Observer: new WorkerCommand.WorkerConsole(Console.Out),
            Retry: new RetryPolicy(),
            Time: time)
        {
            FinalWriteTimeout = TimeSpan.FromMinutes(10),
            Sources = new RemoteJobSourceIssuer(connection, leases),
            Stashes = new RemoteJobStashes(connection),
            Log = request.Log,
        };
        var pool = new WorkerPool(services, new WorkerPoolOptions("slot", request.Concurrency, request.Labels)
        {
            Heartbeat = request.Heartbeat,
            Grace = request.Grace,
        }, reaper: null);
        pool.WorkerFaulted += (worker, error) =>
        {
            if (error is not WorkerTokenRefusedException)
            {
                Console.Error.WriteLine($"cairn worker: {worker} failed and starts again: {error.Message}");
            }
        };
        pool.Draining += () =>
        {
            if (!connection.Refused.IsCancellationRequested)
            {
                Console.Error.WriteLine($"cairn worker: stopping: no new jobs; running jobs get {Duration.Format(request.Grace)} (again to cancel them now)");
            }
        };
        await using var onKill = abort.Token.Register(executors.KillAllNow);
        await Console.Out.WriteLineAsync(
            $"cairn worker: {request.Concurrency} at once for {request.Server.GetLeftPart(UriPartial.Authority)}" +
            (request.Labels.Count > 0 ? $", labels {string.Join(',', request.Labels)}" : ", the labels the server gave this worker") +
            $"; {executors.Describe()}");
        var (steps, isWarning) = request.Isolation.Describe();
        await (isWarning ? Console.Error : Console.Out).WriteLineAsync($"cairn worker: {steps}");
        if (executors.KubernetesWarning(kubernetes) is { } noCluster)
        {
            await Console.Error.WriteLineAsync($"cairn worker: {noCluster}");
        }

        using var janitorStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var janitor = executors.Kubernetes is { } cluster
            ? kubernetes.RunJanitorAsync(cluster, new RemoteLeaseLiveness(connection), "cairn worker", Console.Out, Console.Error, janitorStop.Token)
            : Task.CompletedTask;
        await pool.RunAsync(stop.Token, abort.Token);
        await janitorStop.CancelAsync();
        await janitor;
        if (connection.Refused.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"cairn worker: {WorkerTokenRefusedException.Explanation}");
            return ExitCodes.Failed;
        }

        await Console.Out.WriteLineAsync("cairn worker: stopped");
        return ExitCodes.Succeeded;
    }

    private static bool IsLoopback(Uri server) =>
        server.IsLoopback || (IPAddress.TryParse(server.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
