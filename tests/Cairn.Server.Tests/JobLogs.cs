using System.Net;
using System.Net.Http.Json;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests;

/// <summary>A server with a repository whose jobs the log tests run, and a way to give a finished job a log of any size
/// (written to the store after the job's own lines, as a job that printed them would have).</summary>
public sealed class JobLogs : IAsyncDisposable
{
    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();
    private ForgeApi forge = null!;

    public ServerHarness Server { get; private set; } = null!;

    public string Combine(string name) => data.Combine(name);

    public static async Task<JobLogs> StartAsync(Action<WebApplication>? map = null)
    {
        var logs = new JobLogs();
        logs.forge = await ForgeApi.StartAsync();
        logs.Server = await ServerHarness.StartAsync(logs.data.Path, map: map);
        await logs.Server.AddRepositoryAsync("octo/app", "github", logs.repo.CloneUrl, logs.forge.Url, "s");
        return logs;
    }

    /// <summary>Commits <paramref name="jobYaml"/> (the body of one job named build) and starts it; answers the run and job.</summary>
    public async Task<(long Run, long Job)> StartAsync(string jobYaml)
    {
        repo.Commit($"name: logs\non: {{ manual: {{}} }}\njobs:\n  build:\n{jobYaml}");
        var response = await Server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var run = (await response.Content.ReadFromJsonAsync<RunView>())!;
        return (run.Id, run.Jobs![0].Id);
    }

    /// <summary>Runs a job that prints nothing (and fails, when <paramref name="failing"/>), waits for its end, then gives
    /// it <paramref name="lines"/> more lines of its last step; answers the run, the job and the first added sequence.</summary>
    public async Task<(long Run, long Job, long First)> FinishedJobWithAsync(IEnumerable<string> lines, bool failing = false)
    {
        var (run, job) = await StartAsync(failing ? "    steps: [{ name: build, run: 'exit 1' }]\n" : "    steps: [{ name: build, run: 'true' }]\n");
        var ended = await Server.WaitForRunAsync(run);
        var first = await AppendAsync(job, lines, ended.Jobs![0].Steps.Max(s => s.Index));
        return (run, job, first);
    }

    /// <summary>Appends lines to a job's log after its last; answers the first one's sequence number.</summary>
    public async Task<long> AppendAsync(long job, IEnumerable<string> lines, int step)
    {
        var store = Server.Services.GetRequiredService<IRunStore>();
        var last = await store.GetLastLogSequenceAsync(job, CancellationToken.None);
        var at = DateTimeOffset.UtcNow;
        var batch = new List<StoredLogLine>();
        var next = last;
        foreach (var text in lines)
        {
            next++;
            batch.Add(new StoredLogLine(next, step, LogStream.Stdout, at.AddMilliseconds(next - last), text));
            if (batch.Count == 5_000)
            {
                await store.AppendLogAsync(job, batch, CancellationToken.None);
                batch.Clear();
            }
        }

        await store.AppendLogAsync(job, batch, CancellationToken.None);
        return last + 1;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await forge.DisposeAsync();
        repo.Dispose();
        data.Dispose();
    }
}
