using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cairn.Core.Access;
using Cairn.Core.Engine;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Secrets;
using Cairn.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests.Gates;

/// <summary>A real server with one repository (<see cref="Repository"/>) whose pipeline has a shell job; people of every
/// kind with API tokens (tom, who starts the runs; carol, named as an approver; maya, a maintainer of the repository; dev, a
/// developer; nemo, with no role); and runs that gate a shell job behind an approval job, planned as the planner plans
/// an approval job (its kind and approvers in the stored definition), started through the server's coordinator.</summary>
public sealed class GateWorld : IAsyncDisposable
{
    public const string Repository = "octo/app";

    private readonly TempDirectory data = new();
    private readonly GitRepository git = new();
    private readonly Dictionary<string, string> tokens = new(StringComparer.Ordinal);
    private JobRecord template = null!;
    private RunRecord templateRun = null!;

    public ServerHarness Server { get; private set; } = null!;

    /// <summary>The commit every run is of.</summary>
    public string Sha => templateRun.Sha!;

    public T Service<T>() where T : notnull => Server.Services.GetRequiredService<T>();

    /// <summary>The clone URL every repository of the world shares.</summary>
    public string CloneUrl => git.CloneUrl;

    public static async Task<GateWorld> StartAsync(Func<ServerHarness, Task>? beforeRuns = null)
    {
        var world = new GateWorld();
        world.Server = await ServerHarness.StartAsync(world.data.Path);
        world.git.Commit("name: ci\non: { manual: {} }\njobs:\n  after:\n    steps: [{ run: 'echo after-the-gate' }]\n");
        await world.Server.AddRepositoryAsync(Repository, "github", world.git.CloneUrl, "https://api.github.com", "hook-secret");
        if (beforeRuns is not null)
        {
            await beforeRuns(world.Server);
        }

        var created = await world.Server.Client.PostAsJsonAsync($"/api/v1/repos/{Repository}/runs", new { @ref = "main" });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        var run = await world.Server.WaitForRunAsync((await created.Content.ReadFromJsonAsync<RunView>())!.Id);
        Assert.Equal("succeeded", run.Status);
        var runs = world.Service<IRunStore>();
        world.templateRun = (await runs.GetRunAsync(run.Id, CancellationToken.None))!;
        world.template = (await runs.GetJobsAsync(run.Id, CancellationToken.None)).Single();

        await world.PersonAsync("tom", Role.Developer);
        await world.PersonAsync("carol", null);
        await world.PersonAsync("maya", null);
        await world.PersonAsync("dev", Role.Developer);
        await world.PersonAsync("nemo", null);
        Assert.True(await world.Service<IMemberStore>().SetMemberAsync(Repository, "maya", Role.Maintainer, CancellationToken.None));
        Assert.True(await world.Service<IMemberStore>().SetMemberAsync(Repository, "carol", Role.Viewer, CancellationToken.None));
        return world;
    }

    /// <summary>Starts a run of two jobs: <c>approve</c> (an approval job) and <c>after</c> (a shell job that needs it),
    /// triggered by <paramref name="sender"/>; answers the run and the gate's job id once the gate is open.</summary>
    public async Task<(long Run, long Gate)> StartGatedRunAsync(
        IReadOnlyList<string> approvers, int min = 1, TimeSpan? timeout = null, string? sender = "tom", Core.Triggers.PullRequestInfo? pullRequest = null,
        string repository = Repository)
    {
        var definition = new JobDefinitionJson("approve", new Dictionary<string, string>(), new Dictionary<string, string>(), new Dictionary<string, string>(),
            null, null, null, null, [], null, [])
        {
            Kind = "approval",
            Approval = new ApprovalJson(approvers, min, (long)(timeout ?? TimeSpan.FromHours(72)).TotalMilliseconds),
        };
        var trigger = templateRun.Trigger! with { Repository = repository, Sender = sender, IdempotencyKey = null, PullRequest = pullRequest };
        var plan = new RunPlan("ci", trigger, [
            new PlannedJob("approve", "approve", [], [], definition.Serialize()),
            new PlannedJob("after", template.Key, ["approve"], template.Labels, template.Definition),
        ]);
        var run = await Service<RunCoordinator>().StartRunAsync(plan, CancellationToken.None);
        var gate = (await Service<IRunStore>().GetJobsAsync(run.Id, CancellationToken.None)).Single(j => j.Name == "approve").Id;
        await Eventually.TrueAsync(
            async () => await Service<Core.Gates.IApprovalStore>().GetGateAsync(gate, CancellationToken.None) is not null,
            "the gate to open", TimeSpan.FromSeconds(30));
        return (run.Id, gate);
    }

    /// <summary>A client with <paramref name="person"/>'s API token.</summary>
    public HttpClient Client(string person)
    {
        var client = new HttpClient { BaseAddress = new Uri(Server.Url), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(person));
        return client;
    }

    public string Token(string person) => tokens[person];

    public async Task<IReadOnlyList<AuditEntry>> AuditAsync(string action) =>
        await Service<IAuditLog>().ListAuditAsync(new AuditQuery(Action: action, Limit: 100), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        git.Dispose();
        data.Dispose();
    }

    private async Task PersonAsync(string name, Role? role)
    {
        var at = Service<TimeProvider>().GetUtcNow();
        var user = await Service<IUserStore>().CreateUserAsync(new NewUser(name, $"{name}@example.invalid", role, UserSource.Local, at), CancellationToken.None);
        Assert.NotNull(user);
        var (value, token) = ApiTokens.Create(user.Id, $"{name}-cli", TokenScope.Read | TokenScope.Trigger, at, null);
        Assert.NotNull(await Service<IApiTokenStore>().CreateApiTokenAsync(token, CancellationToken.None));
        tokens[name] = value;
    }
}
