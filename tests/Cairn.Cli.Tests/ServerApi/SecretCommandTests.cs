namespace Cairn.Cli.Tests.ServerApi;

public sealed class SecretCommandTests : ServerCliTest
{
    private const string Value = "s3cr3t-value with spaces";

    [Fact]
    public async Task SecretSet_SendsTheValueFromStdin_ToTheRepository_AndSaysCreatedThenReplaced_NeverPrintingIt()
    {
        Server.AddRepo("acme/widgets");

        var created = await CairnProcess.RunWithStdinAsync(Dir.Path, Env(), Value + "\n", "secret", "set", "DEPLOY_TOKEN", "--repo", "acme/widgets");
        var replaced = await CairnProcess.RunWithStdinAsync(Dir.Path, Env(), "second", "secret", "set", "DEPLOY_TOKEN", "--repo", "acme/widgets");

        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal("created secret DEPLOY_TOKEN of acme/widgets", created.Stdout.Trim());
        Assert.True(replaced.ExitCode == 0, replaced.ToString());
        Assert.Equal("replaced secret DEPLOY_TOKEN of acme/widgets", replaced.Stdout.Trim());
        var request = Server.Api("PUT", "/api/v1/repos/acme/widgets/secrets/DEPLOY_TOKEN")[0];
        Assert.Equal($"Bearer {FakeCairnServer.Token}", request.Authorization);
        Assert.Equal(Value, Body(request).GetProperty("value").GetString());
        Assert.Equal("second", Server.Secrets[("acme/widgets", "DEPLOY_TOKEN")]);
        Assert.DoesNotContain(Value, created.Stdout + created.Stderr, StringComparison.Ordinal);
        Assert.Empty(created.Stderr);
    }

    [Fact]
    public async Task SecretSet_WithoutRepo_IsGlobal_AndFromFileReadsTheFile_AndJsonPrintsTheServersAnswer()
    {
        Dir.WriteFile("value.txt", Value + "\r\n");

        var result = await CairnAsync("secret", "set", "NPM_TOKEN", "--from-file", "value.txt", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Value, Server.Secrets[("", "NPM_TOKEN")]);
        Assert.Single(Server.Api("PUT", "/api/v1/secrets/NPM_TOKEN"));
        var json = AssertOneJsonDocument(result);
        Assert.Equal("NPM_TOKEN", json.GetProperty("name").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("scope").ValueKind);
        Assert.DoesNotContain(Value, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretSet_WithABadNameAnEmptyValueOrTwoStdins_IsAUsageError_AndSendsNothing()
    {
        Dir.WriteFile("empty.txt", "\n");

        var badName = await CairnProcess.RunWithStdinAsync(Dir.Path, Env(), Value, "secret", "set", "2FAST");
        var badRepo = await CairnProcess.RunWithStdinAsync(Dir.Path, Env(), Value, "secret", "set", "TOKEN", "--repo", "widgets");
        var empty = await CairnAsync("secret", "set", "TOKEN", "--from-file", "empty.txt");
        var missing = await CairnAsync("secret", "set", "TOKEN", "--from-file", "nope.txt");
        var twoStdins = await CairnProcess.RunWithStdinAsync(Dir.Path, Env(token: null), Value, "secret", "set", "TOKEN", "--token-file", "-");

        Assert.True(badName.ExitCode == 2, badName.ToString());
        Assert.Contains("'2FAST' is not a valid secret name", badName.Stderr, StringComparison.Ordinal);
        Assert.True(badRepo.ExitCode == 2, badRepo.ToString());
        Assert.Contains("not a repository's full name", badRepo.Stderr, StringComparison.Ordinal);
        Assert.True(empty.ExitCode == 2, empty.ToString());
        Assert.Equal("error: the value of TOKEN from empty.txt is empty", empty.Stderr.Trim());
        Assert.True(missing.ExitCode == 2, missing.ToString());
        Assert.StartsWith("error: cannot read the value of TOKEN from nope.txt:", missing.Stderr, StringComparison.Ordinal);
        Assert.True(twoStdins.ExitCode == 2, twoStdins.ToString());
        Assert.Contains("--from-file", twoStdins.Stderr, StringComparison.Ordinal);
        Assert.Empty(Server.Requests);
        AssertNoStackTrace(missing);
    }

    [Fact]
    public async Task SecretSet_ForAnUnknownRepository_SaysTheServersReason_AndExits1()
    {
        var result = await CairnProcess.RunWithStdinAsync(Dir.Path, Env(), Value, "secret", "set", "TOKEN", "--repo", "acme/nope");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal("error: there is no repository acme/nope", result.Stderr.Trim());
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task SecretList_PrintsNamesScopesAndAges_AndJsonPrintsTheServersPage()
    {
        Server.AddRepo("acme/widgets");
        var none = await CairnAsync("secret", "list", "--repo", "acme/widgets");
        Server.Secrets[("acme/widgets", "TOKEN")] = Value;
        Server.Secrets[("acme/widgets", "A_KEY")] = Value;
        Server.Secrets[("", "GLOBAL")] = Value;

        var table = await CairnAsync("secret", "list", "--repo", "acme/widgets");
        var global = await CairnAsync("secret", "list");
        var json = await CairnAsync("secret", "list", "--json");

        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Equal("no secrets for acme/widgets (set one with cairn secret set NAME --repo acme/widgets)", none.Stdout.Trim());
        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = Lines(table.Stdout);
        Assert.Matches(@"^NAME\s+SCOPE\s+UPDATED$", lines[0]);
        Assert.Matches(@"^A_KEY\s+acme/widgets\s+3m ago$", lines[1]);
        Assert.Matches(@"^TOKEN\s+acme/widgets\s+3m ago$", lines[2]);
        Assert.Matches(@"^GLOBAL\s+global\s+3m ago$", Lines(global.Stdout)[1]);
        Assert.Equal(1, AssertOneJsonDocument(json).GetProperty("items").GetArrayLength());
        Assert.DoesNotContain(Value, table.Stdout + global.Stdout + json.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretRemove_Deletes_AndAMissingSecretIsTheServers404()
    {
        Server.AddRepo("acme/widgets");
        Server.Secrets[("acme/widgets", "TOKEN")] = Value;
        Server.Secrets[("", "TOKEN")] = Value;

        var removed = await CairnAsync("secret", "remove", "TOKEN", "--repo", "acme/widgets");
        var again = await CairnAsync("secret", "remove", "TOKEN", "--repo", "acme/widgets");
        var global = await CairnAsync("secret", "remove", "TOKEN", "--json");

        Assert.True(removed.ExitCode == 0, removed.ToString());
        Assert.Equal("removed secret TOKEN of acme/widgets", removed.Stdout.Trim());
        Assert.True(again.ExitCode == 1, again.ToString());
        Assert.Equal("error: acme/widgets has no secret TOKEN", again.Stderr.Trim());
        Assert.True(global.ExitCode == 0, global.ToString());
        var json = AssertOneJsonDocument(global);
        Assert.Equal("TOKEN", json.GetProperty("name").GetString());
        Assert.True(json.GetProperty("removed").GetBoolean());
        Assert.Empty(Server.Secrets);
        Assert.Single(Server.Api("DELETE", "/api/v1/secrets/TOKEN"));
    }

    [Fact]
    public async Task Audit_PrintsATableNewestFirst_WithTheNextCursor_AndJsonPrintsTheServersPage()
    {
        var now = DateTimeOffset.UtcNow;
        Server.Audit.Add(new AuditShape(1, now.AddHours(-2), null, null, "acme/widgets", "TOKEN", "created"));
        Server.Audit.Add(new AuditShape(2, now.AddMinutes(-5), 42, 420, "acme/widgets", "TOKEN", "read"));
        Server.Audit.Add(new AuditShape(3, now.AddMinutes(-1), null, null, null, "GLOBAL", "deleted"));

        var table = await CairnAsync("audit", "--limit", "2");
        var json = await CairnAsync("audit", "--json", "--cursor", "2");

        Assert.True(table.ExitCode == 0, table.ToString());
        var lines = Lines(table.Stdout);
        Assert.Matches(@"^ID\s+WHEN\s+ACTION\s+SECRET\s+REPOSITORY\s+RUN\s+JOB\s+BY\s+DETAIL$", lines[0]);
        Assert.Matches(@"^3\s+1m ago\s+deleted\s+GLOBAL\s+global\s+-\s+-\s+-$", lines[1]);
        Assert.Matches(@"^2\s+5m ago\s+read\s+TOKEN\s+acme/widgets\s+42\s+420\s+-$", lines[2]);
        Assert.Equal("more: cairn audit --cursor 2", lines[3]);
        Assert.Equal("?limit=2", Server.Api("GET", "/api/v1/audit")[0].Query);
        var page = AssertOneJsonDocument(json);
        Assert.Equal(1, page.GetProperty("items")[0].GetProperty("id").GetInt64());
    }
}
