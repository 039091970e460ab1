using System.Data.Common;
using Cairn.Core.Access;
using Cairn.Core.Secrets;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>The audit log's own columns (token, target, address, outcome), its filters and that it is only appended to.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Audit_KeepsTheTokenTargetAddressAndOutcome_AndAnEntryWithoutThemSaysOk()
    {
        await using var scope = await OpenAsync();
        var at = scope.Time.GetUtcNow();

        var refused = await scope.Store.AppendAuditAsync(
            new NewAuditEntry(at, 12, null, "octo/app", null, AuditActions.RunRerun, "alice", "run 12 is waiting for approval")
            {
                TokenName = "ci", Target = "run 12", ClientAddress = "10.0.0.7", Outcome = AuditOutcomes.Failed,
            },
            Token);
        var read = await scope.Store.AppendAuditAsync(new NewAuditEntry(at, 3, 30, "octo/app", "TOKEN", SecretActions.Read), Token);

        var expected = new AuditEntry(refused.Id, at, 12, null, "octo/app", null, "run.rerun", "alice", "run 12 is waiting for approval")
        {
            TokenName = "ci", Target = "run 12", ClientAddress = "10.0.0.7", Outcome = "failed",
        };
        Assert.Equal(expected, refused);
        Assert.Equal([read, expected], await scope.Store.ListAuditAsync(new AuditQuery(), Token));
        Assert.Equal(("ok", null, null, null), (read.Outcome, read.TokenName, read.Target, read.ClientAddress));
    }

    [Fact]
    public async Task Audit_IsFilteredByActorActionAndRepository_NamesIgnoringCase_AndPagedNewestFirst()
    {
        await using var scope = await OpenAsync();
        async Task<AuditEntry> Append(string? actor, string action, string? repository) =>
            await scope.Store.AppendAuditAsync(new NewAuditEntry(scope.Time.GetUtcNow(), null, null, repository, null, action, actor), Token);

        var alice1 = await Append("alice", AuditActions.RunTriggered, "Octo/App");
        var bob = await Append("bob", AuditActions.RunTriggered, "octo/app");
        var alice2 = await Append("Alice", AuditActions.RepositoryAdded, "octo/other");
        var alice3 = await Append("alice", AuditActions.RunTriggered, "octo/app");
        var global = await Append("alice", AuditActions.UserAdded, null);
        var job = await Append(null, SecretActions.Read, "octo/app");

        async Task<long[]> Ids(AuditQuery query) => [.. (await scope.Store.ListAuditAsync(query, Token)).Select(e => e.Id)];

        Assert.Equal([global.Id, alice3.Id, alice2.Id, alice1.Id], await Ids(new AuditQuery(Actor: "ALICE")));
        Assert.Equal([alice3.Id, bob.Id, alice1.Id], await Ids(new AuditQuery(Action: AuditActions.RunTriggered)));
        Assert.Empty(await Ids(new AuditQuery(Action: "RUN.TRIGGERED")));
        Assert.Equal([job.Id, alice3.Id, bob.Id, alice1.Id], await Ids(new AuditQuery(Repository: "OCTO/APP")));
        Assert.Equal([alice3.Id, alice1.Id], await Ids(new AuditQuery("alice", AuditActions.RunTriggered, "octo/app")));
        Assert.Equal([alice3.Id], await Ids(new AuditQuery(Actor: "alice", Repository: "octo/app", Limit: 1)));
        Assert.Equal([alice1.Id], await Ids(new AuditQuery(Actor: "alice", Repository: "octo/app", BeforeId: alice3.Id)));

        // What an asker may see: entries of their repositories only, none of no repository; an empty set shows nothing.
        Assert.Equal([alice2.Id], await Ids(new AuditQuery() { Repositories = ["OCTO/other"] }));
        Assert.Equal([job.Id, alice3.Id, alice2.Id, bob.Id, alice1.Id], await Ids(new AuditQuery() { Repositories = ["octo/app", "octo/other"] }));
        Assert.Equal([alice3.Id, alice1.Id], await Ids(new AuditQuery(Actor: "alice") { Repositories = ["octo/app"] }));
        Assert.Empty(await Ids(new AuditQuery() { Repositories = [] }));
        Assert.Equal(6, (await Ids(new AuditQuery())).Length);
    }

    [Fact]
    public async Task Audit_IsAppendOnly_TheDatabaseRefusesToChangeOrRemoveAnEntry()
    {
        await using var scope = await OpenAsync();
        var entry = await scope.Store.AppendAuditAsync(
            new NewAuditEntry(scope.Time.GetUtcNow(), null, null, "octo/app", "TOKEN", SecretActions.Deleted, "mallory"), Token);

        var update = Assert.ThrowsAny<DbException>(() => scope.Query($"UPDATE secret_audit SET actor = 'someone else' WHERE id = {entry.Id}"));
        var delete = Assert.ThrowsAny<DbException>(() => scope.Query("DELETE FROM secret_audit"));

        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
        Assert.Equal([entry], await scope.Store.ListAuditAsync(new AuditQuery(), Token));
    }
}
