using System.Net;
using System.Net.Http.Json;
using Cairn.Core.Schedules;
using Cairn.Core.Settings;
using Cairn.Server.Api;
using Cairn.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests;

/// <summary>The admin token, repositories' secrets, health and the OpenAPI document.</summary>
public sealed class AccessTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync() => server = await ServerHarness.StartAsync(data.Path);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_admin_token_is_written_0600_stored_only_as_a_hash_and_required_on_every_api_call()
    {
        var file = Path.Combine(data.Path, AdminToken.FileName);
        using var wrong = new HttpClient { BaseAddress = new Uri(server.Url) };
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "cairn_guess");

        var none = await server.Anonymous.GetAsync("/api/v1/repos");
        var guessed = await wrong.GetAsync("/api/v1/runs");
        var right = await server.Client.GetAsync("/api/v1/repos");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, guessed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        var stored = await server.Services.GetRequiredService<ISettingStore>().GetSettingAsync(AdminToken.SettingKey, CancellationToken.None);
        Assert.NotNull(stored);
        Assert.DoesNotContain(server.Token, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Token, StoreText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repository_secrets_are_sealed_and_never_come_back()
    {
        var added = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name = "octo/app", forge = "github", cloneUrl = "https://example.invalid/octo/app.git", webhookSecret = "hook-secret-value", statusToken = "ghp_status_token_value" });
        var duplicate = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name = "OCTO/app", forge = "github", cloneUrl = "https://example.invalid/octo/app.git" });
        var bad = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name = "no-slash", forge = "svn", cloneUrl = "nowhere", apiUrl = "ftp://x" });
        var list = await server.Client.GetStringAsync("/api/v1/repos");
        var one = await server.Client.GetStringAsync("/api/v1/repos/octo/app");

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var view = (await added.Content.ReadFromJsonAsync<RepositoryView>())!;
        Assert.True(view.HasWebhookSecret);
        Assert.Equal("https://api.github.com", view.ApiUrl);
        Assert.Equal("http://cairn.test/hooks/github", view.WebhookUrl);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadAsStringAsync();
        foreach (var field in new[] { "name", "forge", "cloneUrl", "apiUrl" })
        {
            Assert.Contains(field + ":", problem, StringComparison.Ordinal);
        }

        foreach (var text in new[] { list, one, await added.Content.ReadAsStringAsync() })
        {
            Assert.DoesNotContain("hook-secret-value", text, StringComparison.Ordinal);
            Assert.DoesNotContain("ghp_status_token_value", text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("ghp_status_token_value", StoreText(), StringComparison.Ordinal);
        Assert.DoesNotContain("hook-secret-value", StoreText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync("/api/v1/repos/octo/app")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync("/api/v1/repos/octo/app")).StatusCode);
    }

    // The database file and its write-ahead log, as bytes read as Latin-1 (every byte a character).
    private string StoreText() => string.Concat(Directory.GetFiles(data.Path, "cairn.db*")
        .Select(f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f))));

    [Fact]
    public async Task Health_readiness_and_the_openapi_document_answer_without_a_token()
    {
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Anonymous.GetAsync("/readyz")).StatusCode);
        // The run page a commit status links to is the dashboard's: without a session it sends the person to sign in.
        var link = await server.Anonymous.GetAsync("/runs/5");
        Assert.Equal("/login?return=%2Fruns%2F5", link.RequestMessage!.RequestUri!.PathAndQuery);
        var openapi = await server.Anonymous.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/v1/runs/{id}/rerun-failed", openapi, StringComparison.Ordinal);
        Assert.Contains("/hooks/{forge}", openapi, StringComparison.Ordinal);
    }
}
