namespace Cairn.Cli.Commands.Client;

/// <summary>Which server to talk to and with which token, and where each came from (said when the server refuses
/// the token).</summary>
internal sealed record ServerConnection(Uri Server, string? Token, string TokenSource)
{
    public const string DefaultServer = "http://127.0.0.1:8080";
    public const string DefaultTokenFile = "cairn-data/admin.token";

    /// <summary>The server address as a person wrote it, without the slash kept for joining paths.</summary>
    public string Display => Server.ToString().TrimEnd('/');

    /// <summary>Where the token is looked for, in order: what a 401 answer reminds of.</summary>
    public static string TokenSearchOrder => $"--token-file FILE, else $CAIRN_TOKEN, else ./{DefaultTokenFile}";

    /// <summary>The server from <c>--server</c>, else <c>$CAIRN_SERVER</c>, else the default; the token from
    /// <c>--token-file</c> (<c>-</c>: stdin), else <c>$CAIRN_TOKEN</c>, else <c>./cairn-data/admin.token</c> when it
    /// exists, else none. Null after adding to <paramref name="errors"/> what is wrong.</summary>
    public static async Task<ServerConnection?> ResolveAsync(
        string? serverOption, string? serverVariable, string? tokenFile, string? tokenVariable, string workingDirectory,
        TextReader stdin, List<string> errors, CancellationToken cancellationToken)
    {
        var (address, origin) = serverOption is not null
            ? (serverOption, "--server")
            : serverVariable is { Length: > 0 } ? (serverVariable, "CAIRN_SERVER") : (DefaultServer, "the default");
        Uri? server = null;
        if (!Uri.TryCreate(address.Trim(), UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.Host.Length == 0)
        {
            errors.Add($"{origin}: '{address}' is not an http:// or https:// address");
        }
        else
        {
            server = parsed.AbsoluteUri.EndsWith('/') ? parsed : new Uri(parsed.AbsoluteUri + "/");
        }

        string? token = null;
        string source;
        if (tokenFile is not null)
        {
            source = tokenFile == "-" ? "stdin (--token-file -)" : $"--token-file {tokenFile}";
            var read = await SecretInput.ReadAsync(tokenFile, "the API token", stdin, cancellationToken);
            if (read.Error is not null)
            {
                errors.Add(read.Error);
            }

            token = read.Value?.Trim();
        }
        else if (tokenVariable is { Length: > 0 })
        {
            source = "$CAIRN_TOKEN";
            token = tokenVariable.Trim();
        }
        else if (Path.Combine(workingDirectory, DefaultTokenFile) is var fallback && File.Exists(fallback))
        {
            source = $"./{DefaultTokenFile}";
            var read = await SecretInput.ReadAsync(fallback, "the API token", stdin, cancellationToken);
            if (read.Error is not null)
            {
                errors.Add(read.Error);
            }

            token = read.Value?.Trim();
        }
        else
        {
            source = "nowhere: none was given";
        }

        return server is null || errors.Count > 0 ? null : new ServerConnection(server, token is { Length: > 0 } ? token : null, source);
    }
}
