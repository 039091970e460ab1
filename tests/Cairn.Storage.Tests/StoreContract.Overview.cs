using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The dashboard's reads: the newest run per repository and ref, a run's steps at once, runs by event, every secret.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task ListLatestRuns_GivesTheNewestRunOfEachRepositoryAndRef()
    {
        await using var scope = await OpenAsync();
        var oldMain = await scope.Store.CreateRunAsync(PlanOn("acme/widgets", "refs/heads/main", TriggerKind.Push), Token);
        var newMain = await scope.Store.CreateRunAsync(PlanOn("acme/widgets", "refs/heads/main", TriggerKind.Push), Token);
        var feature = await scope.Store.CreateRunAsync(PlanOn("acme/widgets", "refs/heads/feature", TriggerKind.Push), Token);
        var other = await scope.Store.CreateRunAsync(PlanOn("acme/gadgets", "refs/heads/main", TriggerKind.Push), Token);
        await scope.Store.CreateRunAsync(PlanOn(null, "refs/heads/main", TriggerKind.Manual), Token);

        var latest = await scope.Store.ListLatestRunsAsync(Token);

        Assert.Equal([other.Id, feature.Id, newMain.Id], latest.Select(r => r.Id));
        Assert.DoesNotContain(oldMain.Id, latest.Select(r => r.Id));
    }

    [Fact]
    public async Task GetStepsOfRun_GivesEveryJobsStepsInOrder_AndNoOtherRunsSteps()
    {
        await using var scope = await OpenAsync();
        var run = await scope.CreateRunAsync(Job("build"), Job("test"));
        var elsewhere = await scope.CreateRunAsync(Job("build"));
        var jobs = await scope.Store.GetJobsAsync(run.Id, Token);
        var at = scope.Time.GetUtcNow();
        await scope.Store.SaveStepAsync(new StepRecord(jobs[1].Id, 0, "unit", StepStatus.Succeeded, 0, at, at), Token);
        await scope.Store.SaveStepAsync(new StepRecord(jobs[0].Id, 1, "compile", StepStatus.Failed, 2, at, at), Token);
        await scope.Store.SaveStepAsync(new StepRecord(jobs[0].Id, 0, "checkout", StepStatus.Succeeded, 0, at, at), Token);
        var otherJob = (await scope.Store.GetJobsAsync(elsewhere.Id, Token))[0];
        await scope.Store.SaveStepAsync(new StepRecord(otherJob.Id, 0, "elsewhere", StepStatus.Succeeded, 0, at, at), Token);

        var steps = await scope.Store.GetStepsOfRunAsync(run.Id, Token);

        Assert.Equal(["checkout", "compile", "unit"], steps.Select(s => s.Name));
        Assert.Equal(StepStatus.Failed, steps[1].Status);
    }

    [Fact]
    public async Task ListRuns_FiltersByEvent()
    {
        await using var scope = await OpenAsync();
        var push = await scope.Store.CreateRunAsync(PlanOn("acme/widgets", "refs/heads/main", TriggerKind.Push), Token);
        var manual = await scope.Store.CreateRunAsync(PlanOn("acme/widgets", "refs/heads/main", TriggerKind.Manual), Token);

        Assert.Equal([manual.Id], (await scope.Store.ListRunsAsync(new RunQuery(Event: "manual"), Token)).Select(r => r.Id));
        Assert.Equal([push.Id], (await scope.Store.ListRunsAsync(new RunQuery(Repository: "acme/widgets", Event: "push"), Token)).Select(r => r.Id));
        Assert.Empty(await scope.Store.ListRunsAsync(new RunQuery(Event: "schedule"), Token));
    }

    [Fact]
    public async Task ListRuns_KeepsToTheRepositoriesGiven()
    {
        await using var scope = await OpenAsync();
        var widgets = await scope.Store.CreateRunAsync(PlanOn("acme/widgets", "refs/heads/main", TriggerKind.Push), Token);
        await scope.Store.CreateRunAsync(PlanOn("acme/gadgets", "refs/heads/main", TriggerKind.Push), Token);
        var tools = await scope.Store.CreateRunAsync(PlanOn("acme/tools", "refs/heads/main", TriggerKind.Manual), Token);

        Assert.Equal([tools.Id, widgets.Id], (await scope.Store.ListRunsAsync(new RunQuery { Repositories = ["acme/widgets", "acme/tools"] }, Token)).Select(r => r.Id));
        Assert.Equal([tools.Id], (await scope.Store.ListRunsAsync(new RunQuery(Event: "manual") { Repositories = ["acme/widgets", "acme/tools"] }, Token)).Select(r => r.Id));
        Assert.Empty(await scope.Store.ListRunsAsync(new RunQuery { Repositories = [] }, Token));
    }

    [Fact]
    public async Task ListAllSecrets_GivesEveryScope_GlobalFirst()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();
        await scope.Store.PutSecretAsync("octo/app", "TOKEN", [1], at, Token);
        await scope.Store.PutSecretAsync(null, "DEPLOY", [2], at, Token);
        await scope.Store.PutSecretAsync("octo/app", "API", [3], at, Token);

        var all = await scope.Store.ListAllSecretsAsync(Token);

        Assert.Equal([(null, "DEPLOY"), ("octo/app", "API"), ("octo/app", "TOKEN")], all.Select(s => (s.Scope, s.Name)));
    }

    private static RunPlan PlanOn(string? repository, string gitRef, TriggerKind kind) =>
        new("build", new TriggerEvent(kind, repository, gitRef, "abc", new Dictionary<string, string>()), [Job("build")]);
}
