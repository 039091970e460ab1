using Cairn.Core.Forges;
using Cairn.Core.Planning;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>What must hold of a database written under schema 4 once migration 5 has run: its repository asks for approval
/// of pull requests from forks, its audit entries are kept (changes made by the admin say so), and its running run goes on
/// under the new triggers.</summary>
internal static class FourthSchemaChecks
{
    /// <summary>Rows as schema 4 kept them, in SQL both databases take.</summary>
    public static readonly string[] Rows =
    [
        """
        INSERT INTO repositories (name_key, name, forge, clone_url, api_url, default_branch, webhook_secret, status_token, allow_fork_secrets, created_at)
        VALUES ('acme/widgets', 'Acme/Widgets', 'github', 'https://git.example/acme/widgets.git', 'https://api.github.com', 'main', NULL, NULL, true, 1000);
        """,
        """
        INSERT INTO runs (pipeline_name, event, ref, sha, repository, status, created_at, inputs, number, errors, trigger_json, changed_at)
        VALUES ('build', 'push', 'refs/heads/main', 'aaa', 'Acme/Widgets', 'running', 1000, '{}', 1, '[]',
                '{"event":"push","repository":"Acme/Widgets","ref":"refs/heads/main","sha":"aaa"}', 1000);
        """,
        "INSERT INTO run_numbers (repository, last_number) VALUES ('acme/widgets', 1);",
        """
        INSERT INTO secret_audit (at, run_id, job_id, repository, secret, action) VALUES
            (2000, NULL, NULL, 'Acme/Widgets', 'TOKEN', 'created'),
            (3000, 1, 5, 'Acme/Widgets', 'TOKEN', 'read');
        """,
    ];

    public static async Task AssertKeptAsync(StoreScope scope)
    {
        var store = scope.Store;
        var repository = (await store.GetRepositoryAsync("acme/widgets", Token))!;
        Assert.Equal((ForkPullRequestPolicy.Approve, true), (repository.ForkPullRequests, repository.AllowForkSecrets));

        var audit = await store.ListAuditAsync(null, 10, Token);
        Assert.Equal([("read", "TOKEN", (string?)null), ("created", "TOKEN", "admin")], audit.Select(e => (e.Action, e.Secret!, e.Actor)));
        Assert.Equal((1L, 5L), (audit[0].RunId!.Value, audit[0].JobId!.Value));

        var run = (await store.GetRunAsync(1, Token))!;
        Assert.Equal((RunStatus.Running, null, false), (run.Status, run.PendingReason, run.CancelInProgress));
        var now = scope.Time.GetUtcNow();
        Assert.True(await store.RequestCancelAsync(1, "cancelled by alice", now, Token));
        Assert.True(await store.TryTransitionRunAsync(1, RunStatus.Running, RunStatus.Cancelled, now, Token));
        var ended = (await store.ReadChangesAsync(0, 1, 10, Token))[^1];
        Assert.Equal(("cancelled", "cancelled by alice"), (ended.Status, ended.Detail));

        var waiting = await store.CreateRunAsync(
            new RunPlan("build", new TriggerEvent(TriggerKind.Push, "Acme/Widgets", "refs/heads/main", "bbb", new Dictionary<string, string>()), [Job("build")])
            {
                PendingReason = "a maintainer must approve it",
            },
            Token);
        Assert.Equal((2L, RunStatus.Waiting), (waiting.Number, (await store.GetRunAsync(waiting.Id, Token))!.Status));
        Assert.Equal(
            ("waiting", "a maintainer must approve it"),
            (await store.ReadChangesAsync(0, waiting.Id, 10, Token)).Where(c => c.JobId is null).Select(c => (c.Status, c.Detail!)).Single());
    }
}
