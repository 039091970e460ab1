using System.Diagnostics;
using System.Text.Json;

namespace Cairn.Testing;

/// <summary>A real OpenID provider on a loopback port: the npm package <c>oidc-provider</c>, started with Node from
/// <see cref="Engines.OidcProviderDirectory"/> by <c>oidc/provider.mjs</c>, with one client and the given accounts. Its
/// login page (the package's development interactions) takes an account's id as the login and any password.</summary>
public sealed class OidcProvider : IAsyncDisposable
{
    private readonly Process process;
    private readonly TempDirectory folder;

    private OidcProvider(Process process, TempDirectory folder, Uri issuer)
    {
        this.process = process;
        this.folder = folder;
        Issuer = issuer;
    }

    /// <summary>The authority Cairn is given, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public Uri Issuer { get; }

    /// <summary>A person the provider knows: <paramref name="Id"/> is their subject and the login they type.</summary>
    public sealed record Account(string Id, string Username, string Email, IReadOnlyList<string> Groups);

    /// <summary>Starts the provider with one confidential client (secret sent in the token request's body, PKCE required).</summary>
    public static async Task<OidcProvider> StartAsync(
        string clientId, string clientSecret, string redirectUri, IReadOnlyList<Account> accounts, CancellationToken cancellationToken = default)
    {
        var folder = new TempDirectory();
        var config = folder.WriteFile("provider.json", JsonSerializer.Serialize(new
        {
            client = new { id = clientId, secret = clientSecret, redirectUri },
            accounts = accounts.Select(a => new { id = a.Id, username = a.Username, email = a.Email, groups = a.Groups }),
        }));
        var start = new ProcessStartInfo(Engines.Node ?? "node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Engines.OidcProviderScript);
        start.ArgumentList.Add(Engines.OidcProviderDirectory);
        start.ArgumentList.Add(config);
        var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("issuer ", StringComparison.Ordinal))
                {
                    // Drain what else it prints, so that a full pipe never blocks it.
                    _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                    return new OidcProvider(process, folder, new Uri(line["issuer ".Length..].Trim()));
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync(CancellationToken.None);
        process.Dispose();
        folder.Dispose();
        string said;
        lock (errors)
        {
            said = errors.ToString();
        }

        throw new InvalidOperationException($"the OpenID provider did not start: {said}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Closing its standard input ends it; a kill makes sure.
            process.StandardInput.Close();
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            // It had ended already (its standard input is a broken pipe then).
        }

        process.Dispose();
        folder.Dispose();
    }
}
