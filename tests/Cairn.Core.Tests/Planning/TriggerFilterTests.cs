using Cairn.Core.Forges;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Triggers;

namespace Cairn.Core.Tests.Planning;

public sealed class TriggerFilterTests
{
    private static TriggerRules On(string on)
    {
        var result = PipelineLoader.Load($"on: {on}\njobs: {{ a: {{ steps: [{{ run: make }}] }} }}\n", "ci.yml");
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Pipeline!.On;
    }

    private static TriggerEvent Push(string gitRef) =>
        new(TriggerKind.Push, "acme/shop", gitRef, new string('a', 40), new Dictionary<string, string>());

    private static TriggerEvent PullRequest(string baseBranch) =>
        new(TriggerKind.PullRequest, "acme/shop", "refs/pull/7/head", new string('a', 40), new Dictionary<string, string>())
        {
            PullRequest = new PullRequestInfo(7, "opened", baseBranch, "feature", "acme/shop", IsFork: false),
        };

    private static string[]? Changed(string? paths) => paths?.Split(',', StringSplitOptions.RemoveEmptyEntries);

    [Theory]
    // Branch globs: * stays in a segment, ** crosses them, ? is one character.
    [InlineData("{ push: { branches: [main, 'release/*'] } }", "refs/heads/main", true)]
    [InlineData("{ push: { branches: [main, 'release/*'] } }", "refs/heads/release/1.0", true)]
    [InlineData("{ push: { branches: [main, 'release/*'] } }", "refs/heads/release/1.0/hotfix", false)]
    [InlineData("{ push: { branches: [main, 'release/*'] } }", "refs/heads/mainline", false)]
    [InlineData("{ push: { branches: ['release/**'] } }", "refs/heads/release/1.0/hotfix", true)]
    [InlineData("{ push: { branches: ['**'] } }", "refs/heads/a/b/c", true)]
    [InlineData("{ push: { branches: ['v?'] } }", "refs/heads/v1", true)]
    [InlineData("{ push: { branches: ['v?'] } }", "refs/heads/v10", false)]
    [InlineData("{ push: { branches: ['feat*'] } }", "refs/heads/Feature", false)]
    // Negation: the last matching pattern decides, and a later positive pattern takes its matches back.
    [InlineData("{ push: { branches: ['**', '!wip/**'] } }", "refs/heads/wip/idea", false)]
    [InlineData("{ push: { branches: ['**', '!wip/**'] } }", "refs/heads/feature/x", true)]
    [InlineData("{ push: { branches: ['release/**', '!release/**-rc', 'release/2.0-rc'] } }", "refs/heads/release/1.0-rc", false)]
    [InlineData("{ push: { branches: ['release/**', '!release/**-rc', 'release/2.0-rc'] } }", "refs/heads/release/2.0-rc", true)]
    [InlineData("{ push: { branches: ['!wip/**', '**'] } }", "refs/heads/wip/idea", true)]
    // Tags and branches: a list of one kind shuts out the other kind; no lists lets both through.
    [InlineData("{ push: { tags: ['v*'] } }", "refs/tags/v1.2", true)]
    [InlineData("{ push: { tags: ['v*'] } }", "refs/tags/x1", false)]
    [InlineData("{ push: { tags: ['v*'] } }", "refs/tags/v1/beta", false)]
    [InlineData("{ push: { tags: ['v*'] } }", "refs/heads/main", false)]
    [InlineData("{ push: { branches: [main] } }", "refs/tags/v1", false)]
    [InlineData("{ push: { branches: [main], tags: ['v*'] } }", "refs/tags/v1", true)]
    [InlineData("{ push: { branches: [main], tags: ['v*'] } }", "refs/heads/main", true)]
    [InlineData("push", "refs/tags/anything", true)]
    [InlineData("push", "refs/heads/anything", true)]
    [InlineData("{ push: { branches: [main] } }", "refs/notes/commits", false)]
    [InlineData("push", "refs/notes/commits", true)]
    public void Push_BranchesAndTags(string on, string gitRef, bool runs) =>
        Assert.Equal(runs, TriggerFilter.Accepts(On(on), Push(gitRef), null).Run);

    [Theory]
    [InlineData("{ push: { paths: ['src/**'] } }", "docs/a.md,src/x/y.c", true)]
    [InlineData("{ push: { paths: ['src/**'] } }", "docs/a.md", false)]
    [InlineData("{ push: { paths: ['src/**'] } }", "", false)]
    [InlineData("{ push: { paths: ['src/**'] } }", null, true)]
    [InlineData("{ push: { paths: ['src/*'] } }", "src/x/y.c", false)]
    [InlineData("{ push: { paths: ['**/*.cs'] } }", "Program.cs", true)]
    [InlineData("{ push: { paths: ['**/*.cs'] } }", "src/deep/Program.cs", true)]
    [InlineData("{ push: { paths: ['**/*.cs'] } }", "src/Program.csproj", false)]
    [InlineData("{ push: { paths: ['**', '!docs/**'] } }", "docs/a.md,docs/b/c.md", false)]
    [InlineData("{ push: { paths: ['**', '!docs/**'] } }", "docs/a.md,README.md", true)]
    [InlineData("{ push: { paths: ['**', '!**.md', 'CHANGELOG.md'] } }", "CHANGELOG.md", true)]
    [InlineData("{ push: { branches: [main], paths: ['src/**'] } }", "src/a.c", true)]
    [InlineData("{ push: { branches: [dev], paths: ['src/**'] } }", "src/a.c", false)]
    public void Push_Paths(string on, string? changed, bool runs) =>
        Assert.Equal(runs, TriggerFilter.Accepts(On(on), Push("refs/heads/main"), Changed(changed)).Run);

    [Fact]
    public void Push_OfATag_IgnoresPaths()
    {
        var decision = TriggerFilter.Accepts(On("{ push: { tags: ['v*'], paths: ['src/**'] } }"), Push("refs/tags/v1"), ["docs/a.md"]);

        Assert.Equal(new FilterDecision(true, "push of tag 'v1' matches on.push.tags [v*]"), decision);
    }

    [Theory]
    [InlineData("{ pull_request: { branches: [main] } }", "main", null, true)]
    [InlineData("{ pull_request: { branches: [main] } }", "dev", null, false)]
    [InlineData("{ pull_request: { branches: ['release/**'] } }", "release/2/x", null, true)]
    [InlineData("{ pull_request: }", "anything", null, true)]
    [InlineData("{ pull_request: { paths: ['src/**'] } }", "main", "src/a.c", true)]
    [InlineData("{ pull_request: { paths: ['src/**'] } }", "main", "docs/a.md", false)]
    [InlineData("{ pull_request: { branches: [main], paths: ['src/**'] } }", "dev", "src/a.c", false)]
    [InlineData("{ push: }", "main", null, false)]
    public void PullRequests_MatchTheirBaseBranch(string on, string baseBranch, string? changed, bool runs) =>
        Assert.Equal(runs, TriggerFilter.Accepts(On(on), PullRequest(baseBranch), Changed(changed)).Run);

    [Theory]
    [InlineData("{ schedule: [{ cron: '0 3 * * *' }] }", TriggerKind.Schedule, true)]
    [InlineData("push", TriggerKind.Schedule, false)]
    [InlineData("manual", TriggerKind.Manual, true)]
    [InlineData("[push, pull_request]", TriggerKind.Manual, false)]
    [InlineData("manual", TriggerKind.Push, false)]
    public void SchedulesAndManualStarts_RunWhenDeclared(string on, TriggerKind kind, bool runs) =>
        Assert.Equal(runs, TriggerFilter.Accepts(On(on), new TriggerEvent(kind, "acme/shop", "refs/heads/main", null, new Dictionary<string, string>()), null).Run);

    [Theory]
    [InlineData("{ push: { branches: [main, 'release/*'] } }", "refs/heads/feature/x", null,
        "push to 'feature/x' does not match on.push.branches [main, release/*]")]
    [InlineData("{ push: { branches: [main, 'release/*'] } }", "refs/heads/release/1", null,
        "push to 'release/1' matches on.push.branches [main, release/*]")]
    [InlineData("{ push: { branches: [main] } }", "refs/tags/v1", null,
        "push of tag 'v1': on.push lists branches and no tags, so tag pushes do not run")]
    [InlineData("{ push: { tags: ['v*'] } }", "refs/heads/main", null,
        "push to 'main': on.push lists tags and no branches, so branch pushes do not run")]
    [InlineData("{ push: { branches: [main], paths: ['src/**'] } }", "refs/heads/main", "docs/a.md,docs/b.md",
        "push to 'main' changes no file matching on.push.paths [src/**] (2 files changed)")]
    [InlineData("{ push: { paths: ['src/**'] } }", "refs/heads/main", "docs/a.md,src/b.c",
        "push to 'main': on.push has no branch filter, and 'src/b.c' matches on.push.paths [src/**]")]
    [InlineData("{ push: { paths: ['src/**'] } }", "refs/heads/main", null,
        "push to 'main': on.push has no branch filter; the changed files are not known, so on.push.paths does not hold it back")]
    [InlineData("manual", "refs/heads/main", null, "the pipeline does not run on push (no on.push)")]
    public void Reasons_SayWhatMatchedOrDidNot(string on, string gitRef, string? changed, string reason) =>
        Assert.Equal(reason, TriggerFilter.Accepts(On(on), Push(gitRef), Changed(changed)).Reason);

    [Fact]
    public void PullRequestReason_NamesTheNumberAndTheBase() =>
        Assert.Equal(
            "pull request #7 into 'dev' does not match on.pull_request.branches [main]",
            TriggerFilter.Accepts(On("{ pull_request: { branches: [main] } }"), PullRequest("dev"), null).Reason);

    [Theory]
    [InlineData("{ push: { branches: ['!wip/**'] } }",
        "ci.yml:1:25: error: 'push.branches' has only negative patterns, which match nothing; put what to include first, like ['**', '!wip/**']")]
    [InlineData("{ push: { paths: ['src/**', '!'] } }",
        "ci.yml:1:33: error: '!' needs a glob after it, like '!docs/**' (in 'push.paths')")]
    [InlineData("{ pull_request: { branches: [''] } }",
        "ci.yml:1:34: error: an empty glob matches nothing (in 'pull_request.branches')")]
    public void Validation_RefusesGlobsThatCanMatchNothing(string on, string error)
    {
        var result = PipelineLoader.Load($"on: {on}\njobs: {{ a: {{ steps: [{{ run: make }}] }} }}\n", "ci.yml");

        Assert.Equal([error], result.Errors.Select(e => e.ToString()));
    }
}
