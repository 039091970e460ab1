using System.Net.Http.Json;
using Cairn.Core.Schedules;
using Cairn.Server.Webhooks;
using Cairn.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests;

/// <summary>Crons of the default branch, and runner aliases chosen by the server's runner file.</summary>
public sealed class ScheduleAndRunnerTests : IAsyncDisposable
{
    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();

    [Fact]
    public async Task Crons_are_registered_when_the_repository_is_added_and_ticks_missed_for_days_fire_once()
    {
        repo.Commit("""
            name: nightly
            on: { schedule: [{ cron: "0 3 * * *" }] }
            jobs:
              a:
                steps: [{ run: echo scheduled }]
            """);
        await using var server = await ServerHarness.StartAsync(data.Path);
        await using var forge = await ForgeApi.StartAsync();
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, "s");
        var store = server.Services.GetRequiredService<ICairnStore>();
        var schedule = await WaitForScheduleAsync(store);
        Assert.Equal("0 3 * * *", schedule.Cron);
        Assert.True(schedule.NextFireAt > DateTimeOffset.UtcNow);

        // As if every server had been down for three days: three nightly ticks were missed.
        Assert.True(await store.TryAdvanceScheduleAsync(schedule.Id, schedule.NextFireAt, DateTimeOffset.UtcNow.AddDays(-3), CancellationToken.None));

        var runs = await WaitForRunsAsync(server, 1);
        // One more look by the scheduler now that the tick has fired, and whatever it journaled planned: a second
        // fire for another missed tick would show as a second run.
        await server.LookForDueSchedulesAsync();
        await server.WaitForPlanningAsync();
        Assert.Single(await server.ListRunsAsync());
        Assert.Equal("schedule", runs[0].Event);
        Assert.Equal("refs/heads/main", runs[0].Ref);
        Assert.Equal("succeeded", (await server.WaitForRunAsync(runs[0].Id)).Status);
        var moved = (await store.ListSchedulesAsync(CancellationToken.None)).Single();
        Assert.True(moved.NextFireAt > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task A_cron_with_a_timezone_is_stored_with_it_and_fires_on_that_zones_clock()
    {
        repo.Commit("""
            name: nightly
            on: { schedule: [{ cron: "0 3 * * *", timezone: Europe/Berlin }] }
            jobs:
              a:
                steps: [{ run: echo scheduled }]
            """);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        await using var server = await ServerHarness.StartAsync(data.Path);
        await using var forge = await ForgeApi.StartAsync();
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, "s");
        var store = server.Services.GetRequiredService<ICairnStore>();
        var schedule = await WaitForScheduleAsync(store);
        Assert.Equal("CRON_TZ=Europe/Berlin 0 3 * * *", schedule.Cron);
        AssertThreeInBerlin(schedule.NextFireAt);

        Assert.True(await store.TryAdvanceScheduleAsync(schedule.Id, schedule.NextFireAt, DateTimeOffset.UtcNow.AddDays(-1), CancellationToken.None));

        var runs = await WaitForRunsAsync(server, 1);
        Assert.Equal("schedule", runs[0].Event);
        var moved = (await store.ListSchedulesAsync(CancellationToken.None)).Single();
        Assert.True(moved.NextFireAt > DateTimeOffset.UtcNow);
        AssertThreeInBerlin(moved.NextFireAt);

        void AssertThreeInBerlin(DateTimeOffset at)
        {
            var local = TimeZoneInfo.ConvertTime(at, berlin);
            Assert.Equal((3, 0), (local.Hour, local.Minute));
            Assert.True(at - DateTimeOffset.UtcNow <= TimeSpan.FromDays(1), $"{at} is more than a day away");
        }
    }

    [Fact]
    public async Task An_unknown_runner_fails_its_job_as_config_and_the_forge_reads_why()
    {
        const string Runners = """
            default: small
            runners:
              small: { executor: shell }
              large: { executor: shell, labels: [big] }
            """;
        repo.Commit("""
            name: ci
            on: { push: {} }
            jobs:
              ok:
                runner: small
                steps: [{ run: echo fine }]
              huge:
                runner: xl
                steps: [{ run: echo never }]
            """);
        await using var forge = await ForgeApi.StartAsync();
        await using var server = await ServerHarness.StartAsync(data.Path, runners: Runners);
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, "s");
        var sha = repo.Commit(new Dictionary<string, string> { ["x"] = "1" });

        var response = await server.Anonymous.SendAsync(Deliveries.GitHub("push", Deliveries.GitHubPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, sha), "s"));
        var entry = await server.WaitForEventAsync((await response.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);
        var run = await server.WaitForRunAsync(entry.RunId!.Value);

        Assert.Equal("failed", run.Status);
        var huge = run.Jobs!.Single(j => j.Name == "huge");
        Assert.Equal("config", huge.FailureClass);
        Assert.Equal("unknown runner 'xl' (known: small, large)", huge.FailureDetail);
        Assert.Equal("succeeded", run.Jobs!.Single(j => j.Name == "ok").Status);
        var statuses = await forge.WaitForAsync(s => s.Any(x => x.Context == "cairn/ci/huge" && x.State == "error") && s.Any(x => x.Context == "cairn/ci" && x.State == "failure"));
        Assert.Contains("unknown runner 'xl' (known: small, large)", statuses.Last(s => s.Context == "cairn/ci/huge").Description, StringComparison.Ordinal);
        Assert.Contains("huge", statuses.Last(s => s.Context == "cairn/ci").Description, StringComparison.Ordinal);
    }

    private static async Task<ScheduleEntry> WaitForScheduleAsync(ICairnStore store) =>
        (await Eventually.ValueAsync(
            () => store.ListSchedulesAsync(CancellationToken.None),
            schedules => schedules.Count == 1,
            "the schedule to be registered",
            TimeSpan.FromSeconds(30)))[0];

    private static Task<IReadOnlyList<Api.RunView>> WaitForRunsAsync(ServerHarness server, int count) =>
        Eventually.ValueAsync(() => server.ListRunsAsync(), runs => runs.Count >= count, $"{count} run(s) to appear", TimeSpan.FromSeconds(30));

    public ValueTask DisposeAsync()
    {
        repo.Dispose();
        data.Dispose();
        return ValueTask.CompletedTask;
    }
}
