using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cairn.Server.Api;
using Cairn.Server.Webhooks;

namespace Cairn.Server.Tests;

/// <summary>Repository and global secrets: set, listed and removed through the API without a value ever coming back,
/// read by the jobs that declare them (the repository's before the global one), refused to pull requests from forks,
/// and every read in the audit log.</summary>
public sealed class SecretsTests : IAsyncLifetime
{
    private const string HookSecret = "hook-secret-for-octo";
    private const string StatusToken = "status-token-for-octo-9f2c";
    private const string RepositoryValue = "repo-token-value-51d0";
    private const string GlobalValue = "global-token-value-77ab";

    private readonly TempDirectory data = new();
    private readonly TempDirectory outputs = new();
    private readonly GitRepository repo = new();
    private ForgeApi forge = null!;
    private ServerHarness server = null!;

    /// <summary>The last audit entry from before the test (the repository added): the test reads those after it.</summary>
    private long since;

    public async ValueTask InitializeAsync()
    {
        forge = await ForgeApi.StartAsync();
        server = await ServerHarness.StartAsync(data.Path);
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, forge.Url, HookSecret, StatusToken);
        since = (await server.Client.GetFromJsonAsync<Page<AuditView>>("/api/v1/audit"))!.Items.Max(e => e.Id);
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        await forge.DisposeAsync();
        repo.Dispose();
        outputs.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task Secrets_are_set_replaced_listed_and_removed_and_no_answer_nor_the_database_holds_a_value()
    {
        var created = await PutAsync("/api/v1/repos/octo/app/secrets/TOKEN", "first-value-0c1d");
        var replaced = await PutAsync("/api/v1/repos/OCTO/App/secrets/TOKEN", RepositoryValue);
        var global = await PutAsync("/api/v1/secrets/TOKEN", GlobalValue);
        var other = await PutAsync("/api/v1/secrets/DEPLOY_KEY", "deploy-key-value-3e");
        var repoList = await server.Client.GetStringAsync("/api/v1/repos/octo/app/secrets");
        var globalList = await server.Client.GetStringAsync("/api/v1/secrets");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/repos/octo/app/secrets/TOKEN", created.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(HttpStatusCode.Created, global.StatusCode);
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
        var view = (await replaced.Content.ReadFromJsonAsync<SecretView>())!;
        Assert.Equal(("TOKEN", "octo/app"), (view.Name, view.Scope));
        var repoSecrets = JsonSerializer.Deserialize<Page<SecretView>>(repoList, JsonSerializerOptions.Web)!;
        Assert.Equal([("TOKEN", "octo/app")], repoSecrets.Items.Select(s => (s.Name, s.Scope!)));
        Assert.Null(repoSecrets.Next);
        var globalSecrets = JsonSerializer.Deserialize<Page<SecretView>>(globalList, JsonSerializerOptions.Web)!;
        Assert.Equal(["DEPLOY_KEY", "TOKEN"], globalSecrets.Items.Select(s => s.Name));
        Assert.All(globalSecrets.Items, s => Assert.Null(s.Scope));
        Assert.Contains("\"updatedAt\"", repoList, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync("/api/v1/secrets/DEPLOY_KEY")).StatusCode);
        var again = await server.Client.DeleteAsync("/api/v1/secrets/DEPLOY_KEY");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        Assert.Contains("there is no global secret DEPLOY_KEY", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.DeleteAsync("/api/v1/repos/octo/app/secrets/NOPE")).StatusCode);
        Assert.Single(await ListAsync("/api/v1/secrets"));

        var audit = await server.Client.GetStringAsync("/api/v1/audit");
        var answers = new[] { repoList, globalList, audit }
            .Concat(await Task.WhenAll(new[] { created, replaced, global, other }.Select(r => r.Content.ReadAsStringAsync())));
        foreach (var text in answers)
        {
            Assert.DoesNotContain("first-value-0c1d", text, StringComparison.Ordinal);
            Assert.DoesNotContain(RepositoryValue, text, StringComparison.Ordinal);
            Assert.DoesNotContain(GlobalValue, text, StringComparison.Ordinal);
            Assert.DoesNotContain("deploy-key-value-3e", text, StringComparison.Ordinal);
        }

        var store = StoreText();
        foreach (var value in new[] { "first-value-0c1d", RepositoryValue, GlobalValue, "deploy-key-value-3e" })
        {
            Assert.DoesNotContain(value, store, StringComparison.Ordinal);
        }

        var changes = await ReadAuditAsync();
        Assert.Equal(
            ["-/DEPLOY_KEY deleted", "-/DEPLOY_KEY created", "-/TOKEN created", "octo/app/TOKEN updated", "octo/app/TOKEN created"],
            changes.Select(e => $"{e.Repository ?? "-"}/{e.Secret} {e.Action}"));
        Assert.All(changes, e => Assert.Equal((null, null), (e.RunId, e.JobId)));
    }

    [Fact]
    public async Task Bad_names_values_and_repositories_are_refused_with_the_reason()
    {
        var badName = await PutAsync("/api/v1/secrets/9LIVES", "x");
        var longName = await PutAsync($"/api/v1/secrets/{new string('A', 101)}", "x");
        var empty = await PutAsync("/api/v1/secrets/EMPTY", "");
        var huge = await PutAsync("/api/v1/secrets/HUGE", new string('x', 64 * 1024 + 1));
        var noBody = await server.Client.PutAsync("/api/v1/secrets/NO_BODY", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        var unknownRepo = await PutAsync("/api/v1/repos/octo/nope/secrets/TOKEN", "x");
        var unknownList = await server.Client.GetAsync("/api/v1/repos/octo/nope/secrets");
        var anonymous = await server.Anonymous.GetAsync("/api/v1/secrets");
        var anonymousAudit = await server.Anonymous.GetAsync("/api/v1/audit");
        var badCursor = await server.Client.GetAsync("/api/v1/audit?cursor=abc");

        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Contains("'9LIVES' is not a valid secret name", await badName.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, longName.StatusCode);
        Assert.Contains("at most 100", await longName.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("cannot be empty", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Contains("64 KiB", await huge.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownRepo.StatusCode);
        Assert.Contains("there is no repository octo/nope", await unknownRepo.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknownList.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousAudit.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        Assert.Empty(await ListAsync("/api/v1/secrets"));
        Assert.Empty(await ReadAuditAsync());
    }

    [Fact]
    public async Task A_job_gets_the_secrets_it_declares_the_repositorys_before_the_global_one_and_each_read_is_audited()
    {
        await PutAsync("/api/v1/repos/octo/app/secrets/TOKEN", RepositoryValue);
        await PutAsync("/api/v1/secrets/TOKEN", GlobalValue);
        await PutAsync("/api/v1/secrets/SHARED", "shared-value-aa01");
        repo.Commit($$"""
            name: ci
            on: { manual: {} }
            jobs:
              publish:
                secrets: [TOKEN, SHARED]
                steps:
                  - run: printf '%s' "$TOKEN" > '{{outputs.Combine("token")}}'
                  - run: printf '%s' "$SHARED" > '{{outputs.Combine("shared")}}'
                  - run: echo "token=$TOKEN and the status token is {{StatusToken}}"
              plain:
                steps:
                  - run: if [ -n "${TOKEN+set}" ] || [ -n "${SHARED+set}" ]; then echo leaked > '{{outputs.Combine("leaked")}}'; exit 1; fi
            """);

        var run = await server.WaitForRunAsync(await TriggerAsync());

        Assert.Equal("succeeded", run.Status);
        Assert.Equal(RepositoryValue, await File.ReadAllTextAsync(outputs.Combine("token")));
        Assert.Equal("shared-value-aa01", await File.ReadAllTextAsync(outputs.Combine("shared")));
        Assert.False(File.Exists(outputs.Combine("leaked")));
        var publish = run.Jobs!.Single(j => j.Name == "publish");
        var log = await server.Client.GetStringAsync($"/api/v1/runs/{run.Id}/jobs/{publish.Id}/log");
        Assert.Contains("token=*** and the status token is ***", log, StringComparison.Ordinal);
        Assert.DoesNotContain(RepositoryValue, log, StringComparison.Ordinal);
        Assert.DoesNotContain(StatusToken, log, StringComparison.Ordinal);

        var reads = (await ReadAuditAsync()).Where(e => e.Action == "read").ToList();
        Assert.Equal(["SHARED", "TOKEN"], reads.Select(e => e.Secret).Order());
        Assert.All(reads, e => Assert.Equal((run.Id, publish.Id, "octo/app"), (e.RunId!.Value, e.JobId!.Value, e.Repository!)));
        var audit = await server.Client.GetStringAsync("/api/v1/audit");
        Assert.DoesNotContain(RepositoryValue, audit, StringComparison.Ordinal);
        Assert.DoesNotContain("shared-value-aa01", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(RepositoryValue, StoreText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_job_whose_secret_is_not_defined_fails_config_before_any_step_runs()
    {
        await PutAsync("/api/v1/secrets/TOKEN", GlobalValue);
        repo.Commit($$"""
            name: ci
            on: { manual: {} }
            jobs:
              deploy:
                secrets: [TOKEN, MISSING]
                steps:
                  - run: touch '{{outputs.Combine("ran")}}'
            """);

        var run = await server.WaitForRunAsync(await TriggerAsync());

        Assert.Equal("failed", run.Status);
        var job = Assert.Single(run.Jobs!);
        Assert.Equal(("failed", "config"), (job.Status, job.FailureClass));
        Assert.Equal("secret 'MISSING' is not defined for octo/app", job.FailureDetail);
        Assert.Empty(job.Steps);
        Assert.False(File.Exists(outputs.Combine("ran")));
    }

    [Fact]
    public async Task A_pull_request_from_a_fork_gets_no_secrets_unless_the_repository_allows_it()
    {
        var allowed = await server.Client.PostAsJsonAsync("/api/v1/repos", new
        {
            name = "octo/open", forge = "github", cloneUrl = repo.CloneUrl, apiUrl = forge.Url, webhookSecret = HookSecret, allowForkSecrets = true,
            forkPullRequests = "run",
        });
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.PatchAsJsonAsync("/api/v1/repos/octo/app", new { forkPullRequests = "run" })).StatusCode);
        await PutAsync("/api/v1/repos/octo/app/secrets/TOKEN", RepositoryValue);
        await PutAsync("/api/v1/repos/octo/open/secrets/TOKEN", "open-token-value-e4");
        var baseSha = repo.Commit($$"""
            name: ci
            on: { pull_request: { branches: [main] } }
            jobs:
              with-secret:
                secrets: [TOKEN]
                steps:
                  - run: printf '%s' "$TOKEN" > "{{outputs.Combine("token")}}-$CAIRN_RUN_ID"
              without:
                steps:
                  - run: echo no secrets needed
            """);
        var headSha = repo.Commit(new Dictionary<string, string> { ["change.txt"] = "from a fork" }, branch: "topic");
        repo.PushHeadTo("refs/pull/7/head");

        var refused = await server.WaitForRunAsync(await PullRequestFromForkAsync("octo/app", headSha, baseSha));
        var taken = await server.WaitForRunAsync(await PullRequestFromForkAsync("octo/open", headSha, baseSha));

        Assert.True(refused.Fork);
        Assert.Equal("failed", refused.Status);
        var job = refused.Jobs!.Single(j => j.Name == "with-secret");
        Assert.Equal(("failed", "config"), (job.Status, job.FailureClass));
        Assert.Equal(
            "secret 'TOKEN' cannot be read: pull requests from forks get no secrets (the repository allows it with allowForkSecrets)",
            job.FailureDetail);
        Assert.Empty(job.Steps);
        Assert.Equal("succeeded", refused.Jobs!.Single(j => j.Name == "without").Status);
        Assert.True(taken.Fork);
        Assert.Equal("succeeded", taken.Status);
        Assert.Equal([$"token-{taken.Id}"], Directory.GetFiles(outputs.Path, "token-*").Select(Path.GetFileName));
        Assert.Equal("open-token-value-e4", await File.ReadAllTextAsync(outputs.Combine($"token-{taken.Id}")));
        var read = Assert.Single(await ReadAuditAsync(), e => e.Action == "read");
        Assert.Equal((taken.Id, "octo/open", "TOKEN"), (read.RunId!.Value, read.Repository!, read.Secret));
    }

    private async Task<HttpResponseMessage> PutAsync(string path, string value) =>
        await server.Client.PutAsJsonAsync(path, new { value });

    private async Task<IReadOnlyList<SecretView>> ListAsync(string path) =>
        (await server.Client.GetFromJsonAsync<Page<SecretView>>(path))!.Items;

    private async Task<IReadOnlyList<AuditView>> ReadAuditAsync() =>
        [.. (await server.Client.GetFromJsonAsync<Page<AuditView>>("/api/v1/audit"))!.Items.Where(e => e.Id > since)];

    private async Task<long> TriggerAsync()
    {
        var response = await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RunView>())!.Id;
    }

    private async Task<long> PullRequestFromForkAsync(string repository, string headSha, string baseSha)
    {
        var response = await server.Anonymous.SendAsync(Deliveries.GitHub("pull_request",
            Deliveries.GitHubPullRequest(repository, "opened", 7, "main", "topic", headSha, baseSha, headRepository: "someone/app"), HookSecret));
        var entry = await server.WaitForEventAsync((await response.Content.ReadFromJsonAsync<WebhookAnswer>())!.EventId!.Value);
        Assert.True(entry.State == "planned", entry.Detail);
        return entry.RunId!.Value;
    }

    // The database file and its write-ahead log, as bytes read as Latin-1 (every byte a character).
    private string StoreText() => string.Concat(Directory.GetFiles(data.Path, "cairn.db*")
        .Select(f => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(f))));
}
