using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Logs;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Schedules;
using Cairn.Core.Secrets;
using Cairn.Core.Settings;
using Cairn.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Hosting;

/// <summary>The server's store: opened at start (with a plain message when it cannot be), then offered to services as
/// the narrow ports each one uses, every port the one instance.</summary>
internal static class ServerStore
{
    /// <summary>Opens the store the settings name, making the SQLite file private first. Throws
    /// <see cref="ServerStartException"/> when it is not configured right or its schema cannot be brought up to date.</summary>
    public static async Task<ICairnStore> OpenAsync(ServerSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            if (settings.Store == RunStores.Sqlite)
            {
                DataDirectory.CreatePrivateFile(settings.Connection);
            }

            return await RunStores.OpenAsync(new StoreSettings(settings.Store, settings.Connection, settings.Lease), time, cancellationToken);
        }
        catch (Exception ex) when (ex is StoreConfigurationException or StoreSchemaException)
        {
            throw new ServerStartException(ex.Message);
        }
    }

    /// <summary>What start-up says of the store.</summary>
    public static string Describe(ServerSettings settings) =>
        $"store: {settings.Store} ({(settings.Store == RunStores.Sqlite ? settings.Connection : "PostgreSQL")})";

    /// <summary>Registers <paramref name="store"/> as itself and as each port of it. Registered as an instance, it is not
    /// disposed by the container: the server disposes it once, when the application has stopped.</summary>
    public static IServiceCollection AddCairnStore(this IServiceCollection services, ICairnStore store)
    {
        services.AddSingleton(store);
        services.AddSingleton<IRunStore>(store);
        services.AddSingleton<IJobQueue>(store);
        services.AddSingleton<IRepositoryStore>(store);
        services.AddSingleton<IEventJournal>(store);
        services.AddSingleton<IStatusOutbox>(store);
        services.AddSingleton<IScheduleStore>(store);
        services.AddSingleton<ISettingStore>(store);
        services.AddSingleton<ISecretStore>(store);
        services.AddSingleton<IAuditLog>(store);
        services.AddSingleton<IRunFeeds>(store);
        services.AddSingleton<IRunRetention>(store);
        services.AddSingleton<IRunOverview>(store);
        services.AddSingleton<ILeaseRecords>(store);
        services.AddSingleton<ILeaseLiveness>(store);
        services.AddSingleton<IDashboardKeyStore>(store);
        services.AddSingleton<ILogSearch>(store);
        services.AddSingleton<Core.Access.IUserStore>(store);
        services.AddSingleton<Core.Access.IMemberStore>(store);
        services.AddSingleton<Core.Access.IApiTokenStore>(store);
        services.AddSingleton<Core.Access.ISessionStore>(store);
        services.AddSingleton<Core.Workers.IWorkerStore>(store);
        services.AddSingleton<Core.Publishing.IPullRequestStore>(store);
        services.AddSingleton<Core.Agents.IAgentSessionStore>(store);
        services.AddSingleton<Access.WorkerIdentities>();
        return services;
    }
}
