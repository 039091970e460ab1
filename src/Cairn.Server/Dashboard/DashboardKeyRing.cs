using System.Xml.Linq;
using Cairn.Core.Secrets;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cairn.Server.Dashboard;

/// <summary>Where the data-protection keys of the session cookie and the anti-forgery tokens live: in the store, so
/// that every server on one database reads the same ring (a session made on one replica is good on the others), each
/// key's secret part sealed with the server's master key, so that a reader of the database cannot forge a session.</summary>
internal static class DashboardKeyRing
{
    public static IServiceCollection AddDashboardKeyRing(this IServiceCollection services)
    {
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            options.XmlRepository = new StoreXmlRepository(provider.GetRequiredService<IDashboardKeyStore>(), provider.GetRequiredService<TimeProvider>());
            options.XmlEncryptor = new SealedKeyEncryptor(provider.GetRequiredService<DashboardKeySealer>());
        }));
        return services;
    }

    /// <summary>The ring's elements as the store keeps them. Data protection asks synchronously, and seldom: it keeps the
    /// ring it read until a key is due or a payload names a key it has not seen.</summary>
    private sealed class StoreXmlRepository(IDashboardKeyStore store, TimeProvider time) : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() =>
            [.. store.ListDashboardKeysAsync(CancellationToken.None).GetAwaiter().GetResult().Select(text => XElement.Parse(text))];

        public void StoreElement(XElement element, string friendlyName)
        {
            ArgumentNullException.ThrowIfNull(element);
            var name = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("N") : friendlyName;
            store.SaveDashboardKeyAsync(name, element.ToString(SaveOptions.DisableFormatting), time.GetUtcNow(), CancellationToken.None)
                .GetAwaiter().GetResult();
        }
    }
}
