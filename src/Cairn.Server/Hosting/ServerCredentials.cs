using System.Data.Common;

namespace Cairn.Server.Hosting;

/// <summary>The server's own credentials in every form a step could come by them: the master key (base64 and hex),
/// the database connection string and its password, the admin token. No step can read them (see docs/security.md);
/// should one ever be printed all the same, every job's log masks them.</summary>
public sealed class ServerCredentials(IReadOnlyCollection<string> values)
{
    public static ServerCredentials None { get; } = new([]);

    public IReadOnlyCollection<string> Values { get; } = values;

    /// <summary>Collects what the server started with.</summary>
    public static ServerCredentials Of(byte[] masterKey, string? masterKeyText, ServerSettings settings, string? adminToken)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        ArgumentNullException.ThrowIfNull(settings);
        var values = new HashSet<string>(StringComparer.Ordinal)
        {
            Convert.ToBase64String(masterKey),
            Convert.ToHexString(masterKey),
            Convert.ToHexString(masterKey).ToLowerInvariant(),
        };
        Add(values, masterKeyText?.Trim());
        Add(values, adminToken?.Trim());
        if (settings.Store != "sqlite")
        {
            Add(values, settings.Connection);
            Add(values, Password(settings.Connection));
        }

        return new ServerCredentials(values);
    }

    /// <summary>The admin token as its file holds it, when the file is there.</summary>
    public static string? ReadAdminToken(string dataDirectory)
    {
        try
        {
            var path = Path.Combine(dataDirectory, AdminToken.FileName);
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? Password(string connection)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connection };
            foreach (var key in new[] { "Password", "Pwd" })
            {
                if (builder.TryGetValue(key, out var value) && value is string { Length: > 0 } text)
                {
                    return text;
                }
            }
        }
        catch (ArgumentException)
        {
            // Not a key=value connection string (a URI): it is masked whole.
        }

        return null;
    }

    private static void Add(HashSet<string> values, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            values.Add(value);
        }
    }
}
