using Cairn.Core.Artifacts;
using Cairn.Core.Repositories;
using Cairn.Server.Api;
using Cairn.Server.Services;
using Cairn.Storage;
using Cairn.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>Where the server keeps artifacts and caches: the blob store its settings name (opened at start, with a plain
/// message when it cannot be), the store's index of them, the stashes its own workers and the worker protocol hand each
/// attempt, the API's reader and the retention sweep's share.</summary>
internal static class ServerArtifacts
{
    /// <summary>Opens the blob store the settings name. Throws <see cref="ServerStartException"/> when it cannot be.</summary>
    public static IBlobStore Open(ServerSettings settings)
    {
        var artifacts = settings.Artifacts;
        try
        {
            return BlobStores.Open(
                new BlobStoreSettings(artifacts.Store, artifacts.Endpoint, artifacts.Region, artifacts.AccessKeyId, artifacts.SecretAccessKey, artifacts.PathStyle),
                settings.DataDirectory);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or StoreConfigurationException)
        {
            throw new ServerStartException($"the artifact store {(artifacts.IsS3 ? artifacts.Store : "in the data directory")} cannot be opened: {ex.Message}");
        }
    }

    /// <summary>What start-up says of where artifacts are kept: never a credential.</summary>
    public static string Describe(IBlobStore blobs) => $"artifacts and caches: {blobs.Description}";

    /// <summary>Registers the blob store, the store's index (when the store keeps one) and what is built on both.</summary>
    public static IServiceCollection AddCairnArtifacts(this IServiceCollection services, ServerSettings settings, ICairnStore store, IBlobStore blobs)
    {
        services.AddSingleton(blobs);
        services.AddSingleton(settings.Artifacts.Limits);
        if (store is IArtifactIndex index && store is ICacheIndex caches)
        {
            services.AddSingleton(index);
            services.AddSingleton(caches);
            services.AddSingleton<IJobStashes>(provider => new StoreJobStashes(
                index, caches, blobs, provider.GetRequiredService<IRepositoryStore>(), settings.Artifacts.Limits, provider.GetRequiredService<TimeProvider>()));
        }

        services.AddSingleton(provider => new ArtifactServing(provider.GetService<IArtifactIndex>(), provider.GetService<IBlobStore>()));
        services.AddSingleton(provider => new ArtifactSweep(
            provider.GetService<IArtifactIndex>(), provider.GetService<ICacheIndex>(), provider.GetRequiredService<IBlobStore>(),
            provider.GetRequiredService<IRepositoryStore>(), provider.GetRequiredService<ArtifactSettings>(), provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<ILogger<ArtifactSweep>>()));
        return services;
    }
}
