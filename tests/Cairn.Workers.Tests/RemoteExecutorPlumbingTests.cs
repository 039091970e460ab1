using Cairn.Core.Runs;
using Cairn.Core.Workers;

namespace Cairn.Workers.Tests;

/// <summary>What a worker over HTTP tells and asks its server for an executor that runs jobs away from its host: the
/// lease's waiting reason, which leases live, and where a job fetches its source.</summary>
public sealed class RemoteExecutorPlumbingTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static WorkerConnection Connect(ContractServer server) => new(new WorkerConnectionOptions(server.Url, "cairnw_token")
    {
        FirstDelay = TimeSpan.FromMilliseconds(20),
        MaxDelay = TimeSpan.FromMilliseconds(200),
        Log = TextWriter.Null,
    });

    private static RemoteLeases Holding(LeaseGrant grant, string spool)
    {
        var leases = new RemoteLeases();
        leases.Add(new RemoteLease(grant, new LogSpool(Path.Combine(spool, "spool"), new SpoolBudget(), (_, _) => Task.CompletedTask)));
        return leases;
    }

    [Fact]
    public async Task WaitingReason_IsSentUnderItsLease_AgainAfterAFailure_AndALostLeaseSaysSo()
    {
        await using var server = await new ContractServer(ContractServer.NewGrant()).StartAsync();
        server.WaitingFault = call => call switch { 1 => "503", 4 => "lost", _ => "ok" };
        using var connection = Connect(server);
        using var spool = new TempDirectory();
        var grant = server.Grant;
        var store = new RemoteAttemptStore(Holding(grant, spool.Path), connection);

        Assert.True(await store.SetPendingReasonAsync(grant.Job.Id, grant.LeaseId, "waiting for a node", Token));
        Assert.True(await store.SetPendingReasonAsync(grant.Job.Id, grant.LeaseId, null, Token));
        Assert.False(await store.SetPendingReasonAsync(grant.Job.Id, grant.LeaseId, "after the end", Token));
        Assert.False(await store.SetPendingReasonAsync(grant.Job.Id, Guid.NewGuid(), "another lease", Token));
        Assert.False(await new RemoteAttemptStore(Holding(grant, spool.Path)).SetPendingReasonAsync(grant.Job.Id, grant.LeaseId, "no server", Token));

        Assert.Equal([(grant.LeaseId, "waiting for a node"), (grant.LeaseId, null)], server.Waiting);
    }

    [Fact]
    public async Task LeaseLiveness_IsAskedOfTheServer_InRequestsOfAtMostFiveHundred()
    {
        await using var server = await new ContractServer(ContractServer.NewGrant()).StartAsync();
        using var connection = Connect(server);
        var asked = Enumerable.Range(0, 1_100).Select(_ => Guid.NewGuid()).ToList();
        server.Live.UnionWith([asked[3], asked[700], asked[1_099]]);

        var live = await new RemoteLeaseLiveness(connection).LiveAsync(asked, Token);

        Assert.Equal(new HashSet<Guid> { asked[3], asked[700], asked[1_099] }, live);
        Assert.Equal([500, 500, 100], server.LiveRequests.Select(r => r.LeaseIds.Count));
    }

    [Fact]
    public async Task Source_IsTheGrantsGitPathOnTheServer_WithTheLeasesSourceToken()
    {
        await using var server = await new ContractServer(ContractServer.NewGrant(sourcePath: WorkerPaths.Git("acme/app"))).StartAsync();
        using var connection = Connect(server);
        using var spool = new TempDirectory();
        var grant = server.Grant;
        var leases = Holding(grant, spool.Path);
        var lease = new JobLease(grant.Job.Id, grant.Run.Id, grant.LeaseId, grant.WorkerId, grant.Attempt, grant.ExpiresAt, grant.Job.ToRecord());

        var source = await new RemoteJobSourceIssuer(connection, leases).IssueAsync(lease, grant.Run.ToRecord(), Token);
        var none = await new RemoteJobSourceIssuer(connection, leases).IssueAsync(lease, grant.Run.ToRecord() with { Sha = null }, Token);

        Assert.Equal(new Uri(server.Url, "/git/acme/app.git"), source!.Url);
        Assert.Equal(grant.Run.Sha, source.Sha);
        Assert.Equal("source-token-abc", source.Token);
        Assert.Null(none);
    }
}
