using System.Net.Http.Json;
using Cairn.Core.Runs;
using Cairn.Server.Api;

namespace Cairn.Server.Tests.Authorization;

/// <summary>Listings across repositories show each caller only the repositories they may see: the run list and the
/// stream of every run's changes.</summary>
public sealed class ListingVisibilityTests(AccessWorld world) : IClassFixture<AccessWorld>
{
    [Fact]
    public async Task A_maintainer_of_one_repository_lists_and_follows_only_it_and_the_public_ones()
    {
        using var maintainer = world.Client(world.Caller("maintainer of acme/app"));
        using var admin = world.Client(world.Caller("admin"));
        var shown = new[] { AccessWorld.App, AccessWorld.Site };

        var listed = (await maintainer.GetFromJsonAsync<Page<RunView>>("/api/v1/runs"))!.Items.Select(r => r.Repo).Distinct().Order().ToList();
        var all = (await admin.GetFromJsonAsync<Page<RunView>>("/api/v1/runs"))!.Items.Select(r => r.Repo).Distinct().Order().ToList();
        Assert.Equal(shown.Order(), listed);
        Assert.Contains(AccessWorld.Deep, all);

        // From now on: a run of a repository the maintainer may not see starts, then one of theirs; their stream shows
        // the second and never the first.
        var after = await world.Service<IRunFeeds>().GetLatestChangeIdAsync(CancellationToken.None);
        await using var stream = await SseStream.OpenAsync(maintainer, $"/api/v1/runs/events?after={after}");
        var hidden = await TriggerAsync(admin, AccessWorld.Deep);
        var theirs = await TriggerAsync(admin, AccessWorld.App);

        var runs = new List<long>();
        while (!runs.Contains(theirs) && await stream.NextAsync() is { } next)
        {
            if (next.Type != SseEvent.Comment)
            {
                runs.Add(next.Json.GetProperty("runId").GetInt64());
            }
        }

        Assert.Contains(theirs, runs);
        Assert.DoesNotContain(hidden, runs);
    }

    private static async Task<long> TriggerAsync(HttpClient client, string repository)
    {
        var response = await client.PostAsJsonAsync($"/api/v1/repos/{repository}/runs", new { @ref = "main" });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RunView>())!.Id;
    }
}
