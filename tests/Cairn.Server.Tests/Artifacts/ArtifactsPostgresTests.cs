using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cairn.Server.Api;
using Cairn.Storage.Tests;

namespace Cairn.Server.Tests.Artifacts;

/// <summary>The artifacts API on a server whose store is PostgreSQL: the same listing, range and zip as on SQLite.</summary>
public sealed class ArtifactsPostgresTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();
    private PostgresTestDatabase database = null!;
    private ServerHarness? server;

    public async ValueTask InitializeAsync()
    {
        database = await PostgresTestDatabase.CreateAsync();
        if (database.ConnectionString is { } connection)
        {
            server = await ServerHarness.StartAsync(data.Path, c => { c["Store"] = "postgres"; c["Connection"] = connection; });
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        await database.DisposeAsync();
        repo.Dispose();
        data.Dispose();
    }

    [PostgresFact]
    public async Task ListingRangeAndZip_ReadTheIndexOnPostgres()
    {
        var token = TestContext.Current.CancellationToken;
        repo.Commit("name: ci\non: { manual: {} }\njobs:\n  build:\n    steps: [{ run: echo hi }]\n");
        await server!.AddRepositoryAsync("acme/pg", "github", repo.CloneUrl, "https://api.github.com", "hook-secret");
        var created = await server.Client.PostAsJsonAsync("/api/v1/repos/acme/pg/runs", new { @ref = "main" }, token);
        var run = await server.WaitForRunAsync((await created.Content.ReadFromJsonAsync<RunView>(token))!.Id);
        await ArtifactSeed.KeepAsync(server.Services, run.Id, run.Jobs!.Single().Id, "build", "acme/pg", [new("out/a.txt", "abcdef"), new("out/b.txt", "b")]);

        using var listing = System.Text.Json.JsonDocument.Parse(await server.Client.GetStringAsync($"/api/v1/runs/{run.Id}/artifacts", token));
        Assert.Equal(2, listing.RootElement.GetProperty("artifacts")[0].GetProperty("fileCount").GetInt32());

        using var partial = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/runs/{run.Id}/artifacts/build/files/out/a.txt");
        partial.Headers.Range = new RangeHeaderValue(1, 3);
        var response = await server.Client.SendAsync(partial, token);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal("bcd", await response.Content.ReadAsStringAsync(token));

        var zip = new ZipArchive(new MemoryStream(await server.Client.GetByteArrayAsync($"/api/v1/runs/{run.Id}/artifacts/build.zip", token)));
        Assert.Equal(["out/a.txt", "out/b.txt"], zip.Entries.Select(e => e.FullName));
    }
}
