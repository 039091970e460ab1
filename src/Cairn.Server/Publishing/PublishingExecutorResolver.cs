using Cairn.Core.Agents;
using Cairn.Core.Engine;
using Cairn.Core.Execution;
using Cairn.Core.Planning;
using Cairn.Core.Publishing;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Trackers;
using Cairn.Git;
using Cairn.Server.Hosting;
using Cairn.Server.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Publishing;

/// <summary>Sends jobs whose definition is a <c>publish</c> job to the <see cref="PublishExecutor"/>, every other job to
/// the executors it wraps.</summary>
internal sealed class PublishingExecutorResolver(IExecutorResolver inner, IExecutor publish) : IExecutorResolver
{
    public const string Kind = "publish";

    public ExecutorChoice Resolve(JobRecord job, JobDefinitionJson definition) =>
        string.Equals(definition.Kind, Kind, StringComparison.Ordinal)
            ? ExecutorChoice.Of(new FromDefinition(publish, definition.Publish))
            : inner.Resolve(job, definition);

    /// <summary><paramref name="inner"/> with publish jobs sent to an executor composed from the server's services.</summary>
    public static IExecutorResolver Wrap(IExecutorResolver inner, IServiceProvider provider)
    {
        var services = new PublishServices(
            provider.GetRequiredService<IRunStore>(),
            provider.GetRequiredService<IRepositoryStore>(),
            provider.GetRequiredService<RepositorySecrets>(),
            new GitBranchPush(provider.GetRequiredService<GitMirror>()),
            provider.GetRequiredService<IForgeDirectory>(),
            provider.GetRequiredService<IPullRequestStore>(),
            provider.GetService<IAgentSessionStore>(),
            provider.GetService<IWorkItemNotifier>() ?? NoWorkItemNotifier.Instance,
            provider.GetRequiredService<ServerSettings>().PublicUrl,
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger("Cairn.Publishing"))
        {
            AgentRoot = Path.Combine(provider.GetRequiredService<ServerSettings>().DataDirectory, "agents"),
        };
        return new PublishingExecutorResolver(inner, new PublishExecutor(services));
    }

    /// <summary>The publish executor with the job's stored <c>publish:</c> settings, for a spec that does not carry them.</summary>
    private sealed class FromDefinition(IExecutor publish, PublishJson? settings) : IExecutor
    {
        public string Name => publish.Name;

        public Task<JobOutcome> RunAsync(JobSpec job, IJobReporter reporter, CancellationToken cancellationToken) =>
            publish.RunAsync(job.Publish is null && settings is not null ? job with { Publish = settings } : job, reporter, cancellationToken);
    }
}
