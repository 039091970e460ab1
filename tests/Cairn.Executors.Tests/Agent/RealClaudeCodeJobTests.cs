using Cairn.Core.Agents;
using Cairn.Core.Execution;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Executors.Agent;

namespace Cairn.Executors.Tests.Agent;

/// <summary>The real Claude Code CLI as the agent of a job the agent executor runs. There is no network here: the job
/// must end on its own, soon, as an API error or a refusal in the CLI's own words, never wait out the CLI's retries.</summary>
public sealed class RealClaudeCodeJobTests
{
    [Fact]
    public async Task A_cli_that_keeps_retrying_its_API_is_ended_as_an_agent_error_naming_the_last_retry()
    {
        using var repo = new AgentRepository("""
            { "start": { "steps": [
                { "text": "Looking." },
                { "retry": "529 overloaded" }, { "retry": "529 overloaded" }, { "retry": "529 overloaded" },
                { "retry": "529 overloaded" }, { "retry": "Connection error." },
                { "hang": true } ] } }
            """);
        var reporter = new RecordingJobReporter();

        var outcome = await new AgentExecutor(repo.Options(), TimeProvider.System).RunAsync(repo.Job(), reporter, TestContext.Current.CancellationToken);

        Assert.Equal(FailureClass.AgentError, outcome.FailureClass);
        Assert.Contains($"agent-error: the model's API failed {AgentRun.MaxRetriesInARow} times in a row: attempt 5 of 10: Connection error.", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(5, reporter.Text(0, LogStream.Stdout).Count(l => l.StartsWith("retry: ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Retries_with_answers_between_them_do_not_add_up()
    {
        using var repo = new AgentRepository("""
            { "start": { "steps": [
                { "retry": "529 overloaded" }, { "retry": "529 overloaded" }, { "retry": "529 overloaded" }, { "text": "Got through." },
                { "retry": "529 overloaded" }, { "retry": "529 overloaded" }, { "retry": "529 overloaded" },
                { "result": "success", "text": "Done." } ] } }
            """);

        var outcome = await new AgentExecutor(repo.Options(), TimeProvider.System).RunAsync(repo.Job(), new RecordingJobReporter(), TestContext.Current.CancellationToken);

        Assert.Equal(JobStatus.Succeeded, outcome.Status);
    }

    [ClaudeCodeFact]
    public async Task Offline_the_real_cli_ends_the_job_promptly_as_an_agent_error_in_its_own_words()
    {
        using var repo = new AgentRepository();
        var reporter = new RecordingJobReporter();
        var job = repo.Job(env: new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-offline-dummy" });
        var options = repo.Options(paths => paths[AgentCli.Claude] = ClaudeCodeFactAttribute.Program!);
        // Well under the three minutes the CLI's own retries would take: a job still running then is cancelled, and
        // the class below says so.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(50));

        var outcome = await new AgentExecutor(options, TimeProvider.System).RunAsync(job, reporter, limit.Token);

        var log = string.Join('\n', [.. reporter.Text(0, LogStream.Stdout), .. reporter.Text(0, LogStream.Stderr), .. reporter.Text(0, LogStream.System)]);
        var said = $"{outcome.Status} {outcome.FailureClass} {outcome.Detail}\n{log}";
        Assert.True(outcome.Status == JobStatus.Failed, said);
        Assert.Contains(outcome.FailureClass, new FailureClass?[] { FailureClass.AgentError, FailureClass.AgentPolicy });
        Assert.True(
            outcome.Detail!.Contains("API", StringComparison.OrdinalIgnoreCase) || log.Contains("API Error", StringComparison.Ordinal),
            said);
        Assert.DoesNotContain("sk-ant-offline-dummy", said, StringComparison.Ordinal);
        var last = reporter.Agents[^1];
        Assert.True(last.Ended);
        Assert.False(string.IsNullOrEmpty(last.SessionId));
    }
}
