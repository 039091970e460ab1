using Cairn.Core.Runs;
using Cairn.Core.Triggers;

namespace Cairn.Core.Tests.Artifacts;

public sealed class CacheFlowTests
{
    private const string Pipeline = """
        env:
          HOME: "@HOME@"
        jobs:
          test:
            cache:
              - key: deps-${{ hashFiles('lock.txt') }}
                paths: [deps, ~/.tool]
                restore-keys: [deps-]
            steps:
              - run: |
                  if [ -f deps/fetched ]; then echo "deps were restored: $(cat deps/fetched)"; else echo "fetching deps"; mkdir -p deps && cat lock.txt > deps/fetched; fi
                  mkdir -p ~/.tool && echo tool > ~/.tool/bin
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_second_run_restores_what_the_first_saved_by_the_exact_key_and_a_changed_lock_file_by_the_restore_key()
    {
        await using var flow = await ArtifactFlow.CreateAsync();
        flow.Seed["lock.txt"] = "v1";

        var (first, firstJobs) = await flow.RunAsync(Pipeline);
        Assert.Equal(RunStatus.Succeeded, first.Status);
        Assert.Contains("fetching deps", await flow.OutputAsync(firstJobs["test"]));
        var firstLines = await flow.SystemLinesAsync(firstJobs["test"]);
        var key = Assert.Single(firstLines, l => l.StartsWith("cache: nothing matched 'deps-", StringComparison.Ordinal));
        Assert.Matches("^cache: nothing matched 'deps-[0-9a-f]{64}' or start with 'deps-'$", key);
        Assert.Contains(firstLines, l => l.StartsWith("cache: saved 'deps-", StringComparison.Ordinal));
        Directory.Delete(Path.Combine(flow.Home, ".tool"), recursive: true);

        var (second, secondJobs) = await flow.RunAsync(Pipeline);
        Assert.Equal(RunStatus.Succeeded, second.Status);
        Assert.Contains("deps were restored: v1", await flow.OutputAsync(secondJobs["test"]));
        Assert.Equal("tool\n", await File.ReadAllTextAsync(Path.Combine(flow.Home, ".tool", "bin"), Ct));
        var secondLines = await flow.SystemLinesAsync(secondJobs["test"]);
        Assert.Contains(secondLines, l => l.StartsWith("cache: restored 'deps-", StringComparison.Ordinal) && !l.Contains("restore key", StringComparison.Ordinal));
        Assert.Contains(secondLines, l => l.EndsWith("was restored as it is; nothing to save", StringComparison.Ordinal));

        flow.Seed["lock.txt"] = "v2";
        var (third, thirdJobs) = await flow.RunAsync(Pipeline);
        Assert.Equal(RunStatus.Succeeded, third.Status);
        Assert.Contains("deps were restored: v1", await flow.OutputAsync(thirdJobs["test"]));
        var thirdLines = await flow.SystemLinesAsync(thirdJobs["test"]);
        Assert.Contains(thirdLines, l => l.Contains("(its key starts with a restore key;", StringComparison.Ordinal));
        Assert.Contains(thirdLines, l => l.StartsWith("cache: saved 'deps-", StringComparison.Ordinal));
        Assert.Equal(2, (await flow.Store.ListCachesAsync("acme/widgets", Ct)).Count);
    }

    [Fact]
    public async Task A_branch_reads_the_default_branch_s_cache_but_saves_its_own_which_the_default_branch_never_reads()
    {
        await using var flow = await ArtifactFlow.CreateAsync();
        await flow.Store.AddRepositoryAsync(new Repositories.RepositoryRecord("acme/widgets", Forges.ForgeKind.GitHub, "https://example.invalid/acme/widgets.git", "https://example.invalid/api", "main", null, null, DateTimeOffset.UtcNow), Ct);
        flow.Seed["lock.txt"] = "main";
        await flow.RunAsync(Pipeline, Push("main"));

        flow.Seed["lock.txt"] = "feature";
        var (feature, featureJobs) = await flow.RunAsync(Pipeline, Push("feature"));
        Assert.Equal(RunStatus.Succeeded, feature.Status);
        Assert.Contains("deps were restored: main", await flow.OutputAsync(featureJobs["test"]));

        var caches = await flow.Store.ListCachesAsync("acme/widgets", Ct);
        Assert.Equal(["branch/feature", "branch/main"], caches.Select(c => c.Scope).Order(StringComparer.Ordinal));

        // main's lock file now matches what only the feature branch saved: main must not see it.
        var (main, mainJobs) = await flow.RunAsync(Pipeline, Push("main"));
        Assert.Equal(RunStatus.Succeeded, main.Status);
        Assert.Contains("deps were restored: main", await flow.OutputAsync(mainJobs["test"]));
        Assert.Contains(await flow.SystemLinesAsync(mainJobs["test"]), l => l.Contains("(its key starts with a restore key;", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_pull_request_from_a_fork_reads_the_base_branch_s_cache_and_saves_nothing()
    {
        await using var flow = await ArtifactFlow.CreateAsync();
        flow.Seed["lock.txt"] = "main";
        await flow.RunAsync(Pipeline, Push("main"));

        flow.Seed["lock.txt"] = "poisoned";
        var (fork, forkJobs) = await flow.RunAsync(Pipeline, PullRequest(fork: true));
        Assert.Equal(RunStatus.Succeeded, fork.Status);
        Assert.Contains("deps were restored: main", await flow.OutputAsync(forkJobs["test"]));
        Assert.Contains(await flow.SystemLinesAsync(forkJobs["test"]), l => l.EndsWith("not saved: runs of pull requests from forks read caches but never save them", StringComparison.Ordinal));
        Assert.Equal(["branch/main"], (await flow.Store.ListCachesAsync("acme/widgets", Ct)).Select(c => c.Scope));

        var (own, _) = await flow.RunAsync(Pipeline, PullRequest(fork: false));
        Assert.Equal(RunStatus.Succeeded, own.Status);
        Assert.Contains("pull/7", (await flow.Store.ListCachesAsync("acme/widgets", Ct)).Select(c => c.Scope));
    }

    [Fact]
    public async Task Past_the_repository_s_limit_the_least_recently_used_caches_go_first()
    {
        await using var flow = await ArtifactFlow.CreateAsync(Core.Artifacts.ArtifactSettings.Default with { MaxCacheBytes = 2_500_000 });
        const string Big = """
            jobs:
              fill:
                cache:
                  - key: big-${{ hashFiles('lock.txt') }}
                    paths: [blob]
                steps:
                  - run: head -c 1000000 /dev/urandom > blob
            """;
        foreach (var version in new[] { "a", "b" })
        {
            flow.Seed["lock.txt"] = version;
            await flow.RunAsync(Big);
        }

        flow.Seed["lock.txt"] = "a";
        await flow.RunAsync(Big);
        flow.Seed["lock.txt"] = "c";
        await flow.RunAsync(Big);

        var left = await flow.Store.ListCachesAsync("acme/widgets", Ct);
        Assert.Equal(2, left.Count);
        var hashOfB = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Security.Cryptography.SHA256.HashData("b"u8)));
        Assert.DoesNotContain(left, c => c.Key == $"big-{hashOfB}");
        Assert.NotEmpty(await flow.Store.TakeBlobDeletionsAsync(10, Ct));
    }

    private static TriggerEvent Push(string branch) =>
        TriggerEvent.Manual("acme/widgets", $"refs/heads/{branch}", "0123456789abcdef0123456789abcdef01234567", new Dictionary<string, string>());

    private static TriggerEvent PullRequest(bool fork) =>
        TriggerEvent.Manual("acme/widgets", "refs/pull/7/head", "0123456789abcdef0123456789abcdef01234567", new Dictionary<string, string>())
            with { PullRequest = new PullRequestInfo(7, "opened", "main", "topic", fork ? "stranger/widgets" : "acme/widgets", fork) };
}
