using Cairn.Core.Engine;
using Cairn.Core.Runs;
using Cairn.Executors.Shell;
using Cairn.Git;
using Cairn.Server.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Hosting;

/// <summary>What turns a trigger into a run and moves runs on: the forges, the repositories' git mirror, the runner
/// aliases, the coordinator, and the starter, approvals and superseding built on them.</summary>
internal static class RunStarting
{
    public static IServiceCollection AddRunStarting(this IServiceCollection services, ServerSettings settings, ServerRuntime runtime)
    {
        services.AddSingleton(runtime.Forges);
        services.AddSingleton(runtime.Runners);
        services.AddSingleton<PlanningSignal>();
        services.AddSingleton<RepositoryRegistrations>();
        services.AddSingleton(provider => new RunCoordinator(
            provider.GetRequiredService<IRunStore>(), runtime.Time, provider.GetService<Core.Trackers.IWorkItemNotifier>()));
        services.AddSingleton(new GitMirror(
            Path.Combine(settings.DataDirectory, "git"), new GitMirrorOptions
            {
                MaxFileBytes = settings.MaxPipelineSize,
                // A checkout is a job's work: its git processes run at the job's priority.
                CheckoutStarted = settings.JobNice > 0 ? pid => ProcessPriority.Lower(pid, settings.JobNice, group: false) : null,
            },
            runtime.Time));
        services.AddSingleton<SupersededRuns>();
        services.AddSingleton<RunStarter>();
        services.AddSingleton<RunApprovals>();
        return services;
    }
}
