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
        var store = world.Service<IRunStore>();
        var shown = new[] { AccessWorld.App, AccessWorld.Site };

        var listed = (await maintainer.GetFromJsonAsync<Page<RunView>>("/api/v1/runs"))!.Items.Select(r => r.Repo).Distinct().Order().ToList();
        var all = (await admin.GetFromJsonAsync<Page<RunView>>("/api/v1/runs"))!.Items.Select(r => r.Repo).Distinct().Order().ToList();
        Assert.Equal(shown.Order(), listed);
        Assert.Contains(AccessWorld.Deep, all);

        var repositoryOf = new Dictionary<long, string?>();
        var expected = new List<string>();
        foreach (var change in await store.ReadChangesAsync(0, null, 1000, CancellationToken.None))
        {
            if (!repositoryOf.TryGetValue(change.RunId, out var repository))
            {
                repository = (await store.GetRunAsync(change.RunId, CancellationToken.None))?.Repository;
                repositoryOf[change.RunId] = repository;
            }

            if (shown.Contains(repository))
            {
                expected.Add(change.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        await using var stream = await SseStream.OpenAsync(maintainer, "/api/v1/runs/events?after=0");
        var received = new List<string>();
        while (received.Count < expected.Count && await stream.NextAsync() is { } next)
        {
            if (next.Type != SseEvent.Comment)
            {
                received.Add(next.Id!);
            }
        }

        Assert.NotEmpty(expected);
        Assert.Equal(expected, received);
        Assert.True(repositoryOf.ContainsValue(AccessWorld.Deep), "the world has changes of a repository the maintainer may not see");
    }
}
