using Cairn.Core.Engine;
using Cairn.Core.Repositories;
using Cairn.Git;
using Cairn.Server.Services;
using Cairn.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>The server's own workers: they lease jobs from its store and run each in a worktree of the repository's
/// mirror, reading the secrets the server keeps.</summary>
internal static class ServerWorkers
{
    public static IServiceCollection AddCairnWorkers(this IServiceCollection services, ServerSettings settings, ServerRuntime runtime)
    {
        services.AddSingleton(provider => new JobWorkerContextBuilder
        {
            Executors = Publishing.PublishingExecutorResolver.Wrap(runtime.Executors, provider),
            Workspaces = new GitWorktreeWorkspaceProvider(
                provider.GetRequiredService<GitMirror>(),
                settings.WorkspacesDirectory,
                new StoreRepositoryLocator(provider.GetRequiredService<IRepositoryStore>(), provider.GetRequiredService<RepositorySecrets>()),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger("Cairn.Workspaces")) { Standalone = true },
            Secrets = provider.GetRequiredService<ServerSecretSource>(),
            Coordinator = provider.GetRequiredService<RunCoordinator>(),
            Sources = provider.GetRequiredService<Workers.ServerJobSourceIssuer>(),
            AgentBudget = settings.AgentBudget.IsSet
                ? new DailyAgentBudget(settings.AgentBudget, provider.GetRequiredService<ICairnStore>(), runtime.Time)
                : null,
            Stashes = provider.GetService<Core.Artifacts.IJobStashes>(),
            Log = provider.GetRequiredService<ILoggerFactory>().CreateLogger("Cairn.Jobs"),
            Time = runtime.Time,
        }.Build(provider.GetRequiredService<ICairnStore>()));
        services.AddHostedService<WorkerPoolService>();

        // Stopping waits for running jobs' grace, and a little longer for their ends to be written.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Grace + TimeSpan.FromSeconds(15));
        return services;
    }
}
