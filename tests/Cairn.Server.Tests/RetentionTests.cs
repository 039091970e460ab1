using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Cairn.Core.Access;
using Cairn.Server.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Data.Sqlite;

namespace Cairn.Server.Tests;

/// <summary>Runs that ended longer ago than the retention setting are removed, and no other.</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();
    private ForgeApi forge = null!;
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        forge = await ForgeApi.StartAsync();
        server = await ServerHarness.StartAsync(data.Path, c => c["Retention"] = "30d", adjust: r => r with { RetentionSweep = TimeSpan.FromMilliseconds(200) });
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, "s");
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        await forge.DisposeAsync();
        repo.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task An_old_ended_run_is_removed_with_its_log_while_a_running_one_and_a_recent_one_are_kept()
    {
        repo.Commit("""
            name: ci
            on: { manual: {} }
            jobs:
              build:
                steps: [{ run: 'echo "${CAIRN_RUN_ID:-run}"; test ! -f hold || sleep 300' }]
            """);
        var old = await server.WaitForRunAsync(await TriggerAsync());
        var recent = await server.WaitForRunAsync(await TriggerAsync());
        repo.Commit(new Dictionary<string, string> { ["hold"] = "" }, "hold the next run");
        var running = await TriggerAsync();
        await WaitForJobAsync(running, "running");
        Assert.Equal(("succeeded", "succeeded"), (old.Status, recent.Status));

        // Forty days ago for the old run; the running one was created as long ago, which must not matter.
        var longAgo = DateTimeOffset.UtcNow.AddDays(-40).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        Sql($"UPDATE runs SET created_at = {longAgo}, finished_at = {longAgo} WHERE id = {old.Id}");
        Sql($"UPDATE runs SET created_at = {longAgo} WHERE id = {running}");

        await WaitUntilGoneAsync(old.Id);

        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/api/v1/runs/{old.Id}/jobs/{old.Jobs![0].Id}/log")).StatusCode);
        Assert.Equal("0", Sql($"SELECT count(*) FROM log_lines WHERE job_id = {old.Jobs[0].Id}"));
        Assert.Equal("0", Sql($"SELECT count(*) FROM run_changes WHERE run_id = {old.Id}"));
        Assert.Equal("succeeded", (await server.GetRunAsync(recent.Id)).Status);
        Assert.NotEmpty(await server.Client.GetStringAsync($"/api/v1/runs/{recent.Id}/jobs/{recent.Jobs![0].Id}/log"));
        Assert.Equal("running", (await server.GetRunAsync(running)).Status);
        Assert.Equal([running, recent.Id], (await server.ListRunsAsync()).Select(r => r.Id));
        await server.Client.PostAsync($"/api/v1/runs/{running}/cancel", null);
        await server.WaitForRunAsync(running);
    }

    private string? Sql(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(data.Path, "cairn.db"), Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private async Task<long> TriggerAsync()
    {
        var response = await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RunView>())!.Id;
    }

    [Fact]
    public async Task A_session_past_its_lifetime_is_forgotten_and_a_live_one_kept()
    {
        var services = server.Services;
        var sessions = services.GetRequiredService<ISessionStore>();
        var now = DateTimeOffset.UtcNow;
        var user = (await services.GetRequiredService<IUserStore>().CreateUserAsync(
            new NewUser("sam", null, Role.Viewer, UserSource.Local, now), CancellationToken.None))!;
        var old = now - TimeSpan.FromDays(8);
        await sessions.CreateSessionAsync(new SessionRecord("old", user.Id, [], "token", old, old, null), CancellationToken.None);
        await sessions.CreateSessionAsync(new SessionRecord("live", user.Id, [], "token", now, now, null), CancellationToken.None);

        await Eventually.TrueAsync(
            async () => await sessions.GetSessionAsync("old", CancellationToken.None) is null,
            "the session older than its 7-day lifetime to be forgotten",
            TimeSpan.FromSeconds(60));
        Assert.NotNull(await sessions.GetSessionAsync("live", CancellationToken.None));
    }

    private Task WaitForJobAsync(long run, string status) =>
        Eventually.TrueAsync(
            async () => (await server.GetRunAsync(run)).Jobs![0].Status == status,
            $"the job of run {run} to become {status}",
            TimeSpan.FromSeconds(60));

    private Task WaitUntilGoneAsync(long run) =>
        Eventually.TrueAsync(
            async () =>
            {
                using var response = await server.Client.GetAsync($"/api/v1/runs/{run}");
                return response.StatusCode == HttpStatusCode.NotFound;
            },
            $"run {run} to be removed",
            TimeSpan.FromSeconds(60));
}
