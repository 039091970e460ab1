using System.Xml.Linq;
using Cairn.Core.Secrets;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Dashboard;

/// <summary>Seals the dashboard's data-protection keys with the server's master key (AES-256-GCM, bound to their purpose),
/// so the rows that keep them hold no key in the clear.</summary>
public sealed class DashboardKeySealer(SecretCipher cipher)
{
    private const string Purpose = "dashboard-key";

    public string Seal(XElement element)
    {
        ArgumentNullException.ThrowIfNull(element);
        return Convert.ToBase64String(cipher.Seal(element.ToString(SaveOptions.DisableFormatting), Purpose));
    }

    /// <summary>The element, or a <see cref="System.Security.Cryptography.CryptographicException"/> when it was sealed under
    /// another master key or altered.</summary>
    public XElement Open(string sealedText) => XElement.Parse(cipher.Open(Convert.FromBase64String(sealedText), Purpose));
}

/// <summary>Turns a key's secret element into <c>&lt;sealedKey&gt;</c> holding it sealed.</summary>
internal sealed class SealedKeyEncryptor(DashboardKeySealer sealer) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(new XElement("sealedKey", sealer.Seal(plaintextElement)), typeof(SealedKeyDecryptor));
}

/// <summary>Opens a <c>&lt;sealedKey&gt;</c>; made by data protection from its type name, with the services.</summary>
public sealed class SealedKeyDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        return services.GetRequiredService<DashboardKeySealer>().Open(encryptedElement.Value);
    }
}
