using System.Security.Cryptography;

namespace Cairn.Core.Secrets;

/// <summary>Where the master key comes from: <c>CAIRN_MASTER_KEY</c> (32 bytes, base64 or 64 hex digits) when set,
/// else the file <c>master.key</c> in the data directory, created with mode 0600 on first start.</summary>
public static class MasterKey
{
    public const string EnvironmentVariable = "CAIRN_MASTER_KEY";
    public const string FileName = "master.key";

    /// <summary>The key, and where it came from (for the start-up message). Throws <see cref="MasterKeyException"/>
    /// with a message a person can act on when the variable or the file holds something that is not a key.</summary>
    public static (byte[] Key, string Source) Load(string dataDirectory, string? fromEnvironment)
    {
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return (Decode(fromEnvironment.Trim(), EnvironmentVariable), EnvironmentVariable);
        }

        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            return (Decode(File.ReadAllText(path).Trim(), path), path);
        }

        var key = RandomNumberGenerator.GetBytes(SecretCipher.KeySize);
        Directory.CreateDirectory(dataDirectory);
        WritePrivate(path, Convert.ToBase64String(key) + "\n");
        return (key, path + " (created)");
    }

    /// <summary>Writes a file only its owner can read (0600 from the start, never world-readable for a moment).</summary>
    public static void WritePrivate(string path, string contents)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(contents);
    }

    private static byte[] Decode(string text, string source)
    {
        byte[]? key = null;
        if (text.Length == SecretCipher.KeySize * 2 && text.All(Uri.IsHexDigit))
        {
            key = Convert.FromHexString(text);
        }
        else
        {
            var buffer = new byte[text.Length];
            if (Convert.TryFromBase64String(text, buffer, out var written))
            {
                key = buffer[..written];
            }
        }

        return key is { Length: SecretCipher.KeySize }
            ? key
            : throw new MasterKeyException($"{source} does not hold a master key: it must be {SecretCipher.KeySize} bytes, written as base64 or as {SecretCipher.KeySize * 2} hex digits (create one with: head -c 32 /dev/urandom | base64)");
    }
}

public sealed class MasterKeyException(string message) : Exception(message);
