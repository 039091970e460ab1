using Cairn.Core.Secrets;
using Cairn.Server.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Hosting;

/// <summary>The master key and what is sealed under it: repositories' webhook secrets and status tokens, the secrets
/// jobs read (each read audited), and the server's own credentials that every job's log masks.</summary>
internal static class ServerSecrets
{
    /// <summary>Loads the master key from the settings, the environment or the data directory (making it on first start);
    /// answers it with the text it was given as (null when read from its file) and a line saying where it came from.
    /// Throws <see cref="ServerStartException"/> when it cannot be loaded.</summary>
    public static (byte[] Key, string? Text, string Note) LoadMasterKey(ServerSettings settings)
    {
        var text = settings.MasterKeyText ?? Environment.GetEnvironmentVariable(MasterKey.EnvironmentVariable);
        try
        {
            var (key, source) = MasterKey.Load(settings.DataDirectory, text);
            return (key, text, $"master key: {source}");
        }
        catch (MasterKeyException ex)
        {
            throw new ServerStartException(ex.Message);
        }
    }

    /// <summary>Registers the sealing of repository secrets and of the dashboard's keys, the server's credentials (read once the admin token's file
    /// is written) and the secret source the server's workers read from.</summary>
    public static IServiceCollection AddCairnSecrets(this IServiceCollection services, ServerSettings settings, byte[] key, string? keyText)
    {
        services.AddSingleton(new RepositorySecrets(new SecretCipher(key)));
        services.AddSingleton(new Dashboard.DashboardKeySealer(new SecretCipher(key)));
        services.AddSingleton(ServerCredentials.Of(key, keyText, settings, ServerCredentials.ReadAdminToken(settings.DataDirectory)));
        services.AddSingleton<ServerSecretSource>();
        return services;
    }
}
