namespace Cairn.Cli.Tests.ServerApi;

/// <summary><c>cairn audit</c>'s filters, and the columns shown when a page's entries have them: the target, the outcome
/// and the client's address; the token used reads beside the actor.</summary>
public sealed class AuditCommandTests : ServerCliTest
{
    [Fact]
    public async Task Audit_SendsTheFilters_ShowsActorTokenTargetOutcomeAndAddress_AndThePageHintKeepsTheFilters()
    {
        var now = DateTimeOffset.UtcNow;
        Server.Audit.Add(new AuditShape(1, now.AddMinutes(-9), null, null, "acme/widgets", null, "repo.added", "admin", null, "admin token", null, "10.0.0.1", "ok"));
        Server.Audit.Add(new AuditShape(2, now.AddMinutes(-5), 41, null, "acme/widgets", null, "run.triggered", "maria", null, "laptop", "run 41", "10.0.0.7", "ok"));
        Server.Audit.Add(new AuditShape(3, now.AddMinutes(-3), null, null, "acme/widgets", null, "run.triggered", "maria", "no pipeline takes a manual run", "laptop", null, "10.0.0.7", "failed"));
        Server.Audit.Add(new AuditShape(4, now.AddMinutes(-2), 42, null, "acme/gadgets", null, "run.triggered", "Maria", null, null, "run 42", "10.0.0.8", "ok"));
        Server.Audit.Add(new AuditShape(5, now.AddMinutes(-1), 41, null, "acme/widgets", null, "run.cancelled", "maria", null, "laptop", "run 41", "10.0.0.7", "ok"));

        var filtered = await CairnAsync("audit", "--actor", "maria", "--action", "run.triggered", "--repo", "acme/widgets", "--limit", "1");
        var badRepo = await CairnAsync("audit", "--repo", "no-slash");

        Assert.True(filtered.ExitCode == 0, filtered.ToString());
        Assert.Equal("?actor=maria&action=run.triggered&repo=acme%2Fwidgets&limit=1", Server.Api("GET", "/api/v1/audit")[0].Query);
        var lines = Lines(filtered.Stdout);
        Assert.Matches(@"^ID\s+WHEN\s+ACTION\s+SECRET\s+REPOSITORY\s+RUN\s+JOB\s+BY\s+DETAIL\s+OUTCOME\s+FROM$", lines[0]);
        Assert.Matches(@"^3\s+3m ago\s+run\.triggered\s+-\s+acme/widgets\s+-\s+-\s+maria \(laptop\)\s+no pipeline takes a manual run\s+failed\s+10\.0\.0\.7$", lines[1]);
        Assert.Equal(2, lines.Count(l => l.Length > 0 && !l.StartsWith("more:", StringComparison.Ordinal)));
        Assert.Equal("more: cairn audit --actor maria --action run.triggered --repo acme/widgets --cursor 3", lines[2]);
        Assert.NotEqual(0, badRepo.ExitCode);
        Assert.Single(Server.Api("GET", "/api/v1/audit"));

        var next = await CairnAsync("audit", "--actor", "maria", "--action", "run.triggered", "--repo", "acme/widgets", "--cursor", "3");
        Assert.Matches(@"^ID\s+WHEN\s+ACTION\s+SECRET\s+REPOSITORY\s+RUN\s+JOB\s+BY\s+DETAIL\s+TARGET\s+OUTCOME\s+FROM$", Lines(next.Stdout)[0]);
        Assert.Matches(@"^2\s+5m ago\s+run\.triggered\s+-\s+acme/widgets\s+41\s+-\s+maria \(laptop\)\s+run 41\s+ok\s+10\.0\.0\.7$", Lines(next.Stdout)[1]);
        Assert.Equal(2, Lines(next.Stdout).Length);

        var none = await CairnAsync("audit", "--actor", "nobody");
        Assert.Equal("nothing in the audit log matches", none.Stdout.Trim());
    }
}
