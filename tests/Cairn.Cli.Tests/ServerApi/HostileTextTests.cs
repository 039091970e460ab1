namespace Cairn.Cli.Tests.ServerApi;

/// <summary>What a pipeline author controls (job output, job and step names, failure details, errors) reaches the
/// operator's terminal without a single control sequence when it is redirected, as it is here; <c>--json</c> stays
/// JSON, its escapes intact.</summary>
public sealed class HostileTextTests : ServerCliTest
{
    private const string Esc = "\u001b";
    private const string Title = Esc + "]0;owned\u0007";
    private const string Clear = Esc + "[2K" + Esc + "[1G";
    private const string Link = Esc + "]8;;https://evil.example/" + Esc + "\\";

    private const string HostileLog =
        Title + "compiling\n"
        + "rm -rf / --no-preserve-root\rall tests passed\n"
        + "password: hunter2" + Clear + "nothing to see\n"
        + Esc + "[31mred" + Esc + "[0m and \u009b2K8-bit and " + Link + "a link" + Esc + "]8;;" + Esc + "\\\n"
        + "ends mid-sequence " + Esc + "]0;never closed\n"
        + "dcs " + Esc + "P1$qm" + Esc + "\\done\b\b\b\bDONE\n";

    [Fact]
    public async Task Logs_PrintsNoControlSequence_OfTheJobsOutput()
    {
        AddHostileRun();

        var result = await CairnAsync("logs", "7", "--job", "70");

        Assert.True(result.ExitCode == 0, result.ToString());
        CairnOutput.AssertNoControlCharacters(result);
        Assert.Equal(
            [
                "compiling",
                "rm -rf / --no-preserve-rootall tests passed",
                "password: hunter2nothing to see",
                "red and 8-bit and a link",
                "ends mid-sequence ",
                "dcs doneDONE",
            ],
            result.Stdout.Split('\n')[..^1]);
    }

    [Fact]
    public async Task Show_Runs_AndEvents_PrintNoControlSequence_OfNamesDetailsAndErrors()
    {
        AddHostileRun();
        Server.Events.Add(new EventShape(1, "github", "d-1", "acme/widgets", "push" + Title, "failed", DateTimeOffset.UtcNow, 7, "bad" + Clear + "detail\r"));

        var show = await CairnAsync("show", "7");
        var runs = await CairnAsync("runs");
        var events = await CairnAsync("events");
        var noSuchJob = await CairnAsync("logs", "7", "--job", "deploy");

        foreach (var result in new[] { show, runs, events, noSuchJob })
        {
            CairnOutput.AssertNoControlCharacters(result);
        }

        Assert.Contains("build owned", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("secret DEPLOY_KEY is not set", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("3 tests failedfor real", show.Stdout, StringComparison.Ordinal);
        Assert.Contains("ci-pipeline", runs.Stdout, StringComparison.Ordinal);
        Assert.Contains("baddetail", events.Stdout, StringComparison.Ordinal);
        Assert.Contains("build owned (id 70)", noSuchJob.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_StaysJson_WithTheControlsEscaped()
    {
        AddHostileRun();

        var logs = await CairnAsync("logs", "7", "--job", "70", "--json");
        var show = await CairnAsync("show", "7", "--json");

        foreach (var result in new[] { logs, show })
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            CairnOutput.AssertNoControlCharacters(result);
        }

        Assert.Equal(HostileLog, AssertOneJsonDocument(logs).GetProperty("log").GetString());
        Assert.Equal("build" + Title + " owned", AssertOneJsonDocument(show).GetProperty("jobs")[0].GetProperty("name").GetString());
    }

    private void AddHostileRun()
    {
        var job = FakeCairnServer.NewJob(70, "build" + Title + " owned", "failed", new StepShape(0, "step" + Clear + "one", "failed", 1, null, null)) with
        {
            FailureClass = "test", FailureDetail = "3 tests failed\rfor real",
        };
        Server.AddRun(FakeCairnServer.NewRun(7, 3, "acme/widgets", "failed", job) with
        {
            Pipeline = "ci-" + Esc + "[8mpipeline", Errors = [Title + "secret DEPLOY_KEY is not set" + Esc],
        });
        Server.Logs[70] = HostileLog;
    }
}
