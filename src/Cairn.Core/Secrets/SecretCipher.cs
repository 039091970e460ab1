using System.Security.Cryptography;
using System.Text;

namespace Cairn.Core.Secrets;

/// <summary>Seals values with AES-256-GCM under one master key: a fresh 96-bit nonce per value, the 128-bit tag
/// kept with it. Sealed form: version byte (1) · nonce (12) · tag (16) · ciphertext. The associated data binds a
/// value to where it belongs (a repository and a name), so a sealed value moved elsewhere does not open.</summary>
public sealed class SecretCipher
{
    public const int KeySize = 32;
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] key;

    public SecretCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"the master key must be {KeySize} bytes, not {key.Length}", nameof(key));
        }

        this.key = key.ToArray();
    }

    public byte[] Seal(string value, string associatedData)
    {
        ArgumentNullException.ThrowIfNull(value);
        var plain = Encoding.UTF8.GetBytes(value);
        var sealedValue = new byte[1 + NonceSize + TagSize + plain.Length];
        sealedValue[0] = Version;
        var nonce = sealedValue.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plain, sealedValue.AsSpan(1 + NonceSize + TagSize), sealedValue.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(associatedData));
        CryptographicOperations.ZeroMemory(plain);
        return sealedValue;
    }

    /// <summary>The value, or a <see cref="CryptographicException"/> when the key is not the one it was sealed with,
    /// the associated data differ, or the bytes were altered.</summary>
    public string Open(ReadOnlySpan<byte> sealedValue, string associatedData)
    {
        if (sealedValue.Length < 1 + NonceSize + TagSize || sealedValue[0] != Version)
        {
            throw new CryptographicException("not a sealed value");
        }

        var plain = new byte[sealedValue.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedValue.Slice(1, NonceSize), sealedValue[(1 + NonceSize + TagSize)..], sealedValue.Slice(1 + NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(associatedData));
        try
        {
            return Encoding.UTF8.GetString(plain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
