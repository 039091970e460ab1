using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cairn.Testing;

/// <summary>A loopback stand-in for GitHub's OAuth web flow and the REST endpoints a sign-in reads, as GitHub documents
/// them: <c>GET /login/oauth/authorize</c> (the person is taken to be signed in as <see cref="SignedInAs"/> and to have
/// authorized the app already, so it redirects straight back with <c>code</c> and <c>state</c>),
/// <c>POST /login/oauth/access_token</c> (JSON when asked with <c>Accept: application/json</c>, checking the client's
/// secret, the redirect URI and the PKCE verifier), and under <see cref="ApiUrl"/> (<c>/api/v3</c>, as on GitHub
/// Enterprise) <c>GET /user</c>, <c>/user/orgs</c> and <c>/user/teams</c>.</summary>
public sealed class GitHubOAuthStandIn : IAsyncDisposable
{
    private readonly HttpListener listener;
    private readonly Task serving;
    private readonly string clientId;
    private readonly string clientSecret;
    private readonly ConcurrentDictionary<string, Grant> codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GitHubUser> tokens = new(StringComparer.Ordinal);

    private GitHubOAuthStandIn(HttpListener listener, Uri url, string clientId, string clientSecret)
    {
        this.listener = listener;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        Url = url;
        serving = Task.Run(ServeAsync);
    }

    /// <summary>A GitHub user: their numeric id, login, public e-mail, organisations and teams (organisation, slug).</summary>
    public sealed record GitHubUser(long Id, string Login, string? Email, IReadOnlyList<string> Orgs, IReadOnlyList<(string Org, string Slug)> Teams);

    /// <summary>Where the OAuth pages are (<c>--github-url</c>).</summary>
    public Uri Url { get; }

    /// <summary>Where the REST API is (<c>--github-api-url</c>).</summary>
    public Uri ApiUrl => new(Url, "api/v3");

    /// <summary>Who the next authorization signs in.</summary>
    public GitHubUser? SignedInAs { get; set; }

    /// <summary>What went wrong in a request the stand-in refused, for a test's failure message.</summary>
    public ConcurrentQueue<string> Refusals { get; } = new();

    public static GitHubOAuthStandIn Start(string clientId, string clientSecret)
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var url = new Uri($"http://127.0.0.1:{port}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(url.ToString());
            try
            {
                listener.Start();
                return new GitHubOAuthStandIn(listener, url, clientId, clientSecret);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private sealed record Grant(GitHubUser User, string RedirectUri, string? Challenge);

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                await AnswerAsync(context);
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
            {
                Refusals.Enqueue(ex.Message);
            }
            finally
            {
                try
                {
                    context.Response.Close();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    // The listener stopped while this answer was on its way: the test is over.
                }
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        switch (request.HttpMethod, path)
        {
            case ("GET", "/login/oauth/authorize"):
                Authorize(context);
                return;
            case ("POST", "/login/oauth/access_token"):
                await ExchangeAsync(context);
                return;
            case ("GET", "/api/v3/user" or "/api/v3/user/orgs" or "/api/v3/user/teams"):
                await ApiAsync(context, path["/api/v3".Length..]);
                return;
            default:
                await JsonAsync(context.Response, 404, new { message = "Not Found", documentation_url = "https://docs.github.com/rest" });
                return;
        }
    }

    private void Authorize(HttpListenerContext context)
    {
        var query = context.Request.QueryString;
        var redirect = query["redirect_uri"];
        if (query["client_id"] != clientId || redirect is null || SignedInAs is not { } user)
        {
            Refusals.Enqueue($"authorize: client {query["client_id"]}, redirect {redirect}, user {SignedInAs?.Login}");
            context.Response.StatusCode = 404;
            return;
        }

        var challenge = query["code_challenge"];
        if (challenge is not null && query["code_challenge_method"] != "S256")
        {
            Refusals.Enqueue("authorize: a code challenge other than S256");
            context.Response.StatusCode = 400;
            return;
        }

        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(10)).ToLowerInvariant();
        codes[code] = new Grant(user, redirect, challenge);
        var separator = redirect.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        context.Response.Redirect($"{redirect}{separator}code={code}&state={Uri.EscapeDataString(query["state"] ?? "")}");
    }

    private async Task ExchangeAsync(HttpListenerContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        var form = body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => p.Length > 1 ? WebUtility.UrlDecode(p[1]) : "", StringComparer.Ordinal);
        string? Field(string name) => form.TryGetValue(name, out var value) ? value : null;

        string? error = null;
        if (Field("client_id") != clientId || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Field("client_secret") ?? ""), Encoding.UTF8.GetBytes(clientSecret)))
        {
            error = "incorrect_client_credentials";
        }
        else if (Field("code") is not { } code || !codes.TryRemove(code, out var grant))
        {
            error = "bad_verification_code";
        }
        else if (Field("redirect_uri") is { } redirect && redirect != grant.RedirectUri)
        {
            error = "redirect_uri_mismatch";
        }
        else if (grant.Challenge is not null
                 && (Field("code_verifier") is not { } verifier
                     || Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.Challenge))
        {
            error = "bad_verification_code";
        }
        else
        {
            var token = "gho_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant();
            tokens[token] = grant.User;
            await AnswerTokenAsync(context, new Dictionary<string, string> { ["access_token"] = token, ["token_type"] = "bearer", ["scope"] = "read:org,read:user,user:email" });
            return;
        }

        Refusals.Enqueue("access_token: " + error);
        // GitHub answers an error of the exchange with 200 and the error in the body.
        await AnswerTokenAsync(context, new Dictionary<string, string> { ["error"] = error, ["error_description"] = error.Replace('_', ' ') });
    }

    private static async Task AnswerTokenAsync(HttpListenerContext context, Dictionary<string, string> fields)
    {
        if (context.Request.AcceptTypes?.Any(a => a.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)) == true)
        {
            await JsonAsync(context.Response, 200, fields);
            return;
        }

        var text = string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
        context.Response.ContentType = "application/x-www-form-urlencoded; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(text);
        await context.Response.OutputStream.WriteAsync(bytes);
    }

    private async Task ApiAsync(HttpListenerContext context, string path)
    {
        var authorization = context.Request.Headers["Authorization"] ?? "";
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..]
            : authorization.StartsWith("token ", StringComparison.OrdinalIgnoreCase) ? authorization[6..]
            : null;
        if (token is null || !tokens.TryGetValue(token.Trim(), out var user))
        {
            Refusals.Enqueue($"{path}: no valid token");
            await JsonAsync(context.Response, 401, new { message = "Requires authentication", documentation_url = "https://docs.github.com/rest" });
            return;
        }

        if (string.IsNullOrEmpty(context.Request.UserAgent))
        {
            // GitHub refuses an API request without a User-Agent.
            Refusals.Enqueue($"{path}: no User-Agent");
            await JsonAsync(context.Response, 403, new { message = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header." });
            return;
        }

        object answer = path switch
        {
            "/user" => new
            {
                login = user.Login,
                id = user.Id,
                node_id = $"U_{user.Id}",
                avatar_url = $"{Url}avatars/{user.Id}",
                type = "User",
                site_admin = false,
                name = user.Login,
                email = user.Email,
            },
            "/user/orgs" => user.Orgs.Select((org, i) => new { login = org, id = 1000 + i, node_id = $"O_{i}", description = (string?)null }).ToArray(),
            _ => user.Teams.Select((team, i) => new
            {
                id = 2000 + i,
                node_id = $"T_{i}",
                name = team.Slug,
                slug = team.Slug,
                privacy = "closed",
                permission = "pull",
                organization = new { login = team.Org, id = 1000 + user.Orgs.ToList().IndexOf(team.Org), node_id = $"O_{team.Org}" },
            }).ToArray(),
        };
        await JsonAsync(context.Response, 200, answer);
    }

    private static async Task JsonAsync(HttpListenerResponse response, int status, object body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        await response.OutputStream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async ValueTask DisposeAsync()
    {
        // Close once: a Stop before it lets go of the port, and the Close after it then binds the port again to let go of
        // it a second time, which fails when something else took the port in between.
        try
        {
            listener.Close();
        }
        catch (HttpListenerException)
        {
            // The port is someone else's already: nothing of ours is left on it.
        }

        try
        {
            await serving;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // A request caught half-way by the stop: nothing is left to serve.
        }
    }
}
