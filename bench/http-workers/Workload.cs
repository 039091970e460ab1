using System.Data.Common;
using Cairn.Core.Engine;
using Cairn.Core.Pipelines;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Core.Triggers;
using Cairn.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Cairn.Bench.HttpWorkers;

/// <summary>When the store saw a job queued, leased (running) and ended, in ms since the epoch: its own timestamps, so no
/// polling by the benchmark is in them.</summary>
internal sealed record JobTimes(long JobId, long QueuedAt, long RunningAt, long EndedAt);

/// <summary>Runs queued straight into the store, as the server's planner would, and the store's own record of what happened
/// to their jobs afterwards.</summary>
internal sealed class Workload(ICairnStore store, Options options) : IAsyncDisposable
{
    private readonly RunCoordinator _coordinator = new(store, TimeProvider.System);

    public ICairnStore Store => store;

    public static async Task<Workload> OpenAsync(Options options, CancellationToken cancellationToken) =>
        new(await RunStores.OpenAsync(new StoreSettings(options.Store, options.Connection), TimeProvider.System, cancellationToken), options);

    /// <summary>A pipeline of <paramref name="jobs"/> independent jobs, each running <paramref name="command"/>.</summary>
    public static string Pipeline(int jobs, string command)
    {
        var yaml = new System.Text.StringBuilder("jobs:\n");
        for (var i = 0; i < jobs; i++)
        {
            yaml.Append($"  j{i}:\n    steps:\n      - run: {command}\n");
        }

        return yaml.ToString();
    }

    /// <summary>Plans <paramref name="yaml"/> as a manual run of no repository, stores it and queues its jobs.</summary>
    public async Task<long> QueueAsync(string yaml, CancellationToken cancellationToken)
    {
        var loaded = PipelineLoader.Load(yaml, ".cairn.yml");
        if (!loaded.IsValid)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, loaded.Errors));
        }

        var planned = RunPlanner.Plan(loaded.Pipeline!, TriggerEvent.Manual(null, "refs/heads/main", new string('0', 40), new Dictionary<string, string>()), null);
        var run = await store.CreateRunAsync(planned.Plan ?? throw new InvalidOperationException(string.Join(Environment.NewLine, planned.Errors)), cancellationToken);
        await _coordinator.AdvanceAsync(run.Id, cancellationToken);
        return run.Id;
    }

    /// <summary>Waits until every run has ended; throws when one did not succeed.</summary>
    public async Task WaitForRunsAsync(IReadOnlyCollection<long> runIds, CancellationToken cancellationToken)
    {
        var open = new HashSet<long>(runIds);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromMinutes(10);
        while (open.Count > 0)
        {
            foreach (var id in open.ToList())
            {
                var run = await store.GetRunAsync(id, cancellationToken);
                if (run is null || run.Status is RunStatus.Running or RunStatus.Waiting)
                {
                    break;
                }

                if (run.Status != RunStatus.Succeeded)
                {
                    throw new InvalidOperationException($"run {id} ended {run.Status}; see the worker logs under {options.Out}");
                }

                open.Remove(id);
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{open.Count} runs still running after 10 minutes");
            }

            if (open.Count > 0)
            {
                await Task.Delay(5, cancellationToken);
            }
        }
    }

    /// <summary>The store's timestamps of every job of the runs from <paramref name="firstRun"/> to <paramref name="lastRun"/>.</summary>
    public async Task<IReadOnlyList<JobTimes>> JobTimesAsync(long firstRun, long lastRun, CancellationToken cancellationToken)
    {
        await using var connection = Connect();
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT job_id,
                   min(CASE WHEN status = 'queued' THEN at END),
                   min(CASE WHEN status = 'running' THEN at END),
                   max(CASE WHEN status IN ('succeeded', 'failed', 'cancelled', 'skipped') THEN at END)
            FROM run_changes
            WHERE run_id BETWEEN {firstRun} AND {lastRun} AND job_id IS NOT NULL
            GROUP BY job_id
            """;
        var times = new List<JobTimes>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.IsDBNull(1) || reader.IsDBNull(2) || reader.IsDBNull(3))
            {
                throw new InvalidOperationException($"job {reader.GetInt64(0)} lacks a queued, running or ended change");
            }

            times.Add(new JobTimes(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)));
        }

        return times;
    }

    /// <summary>The stored log of a job: how many lines and how many bytes of text, read page by page.</summary>
    public async Task<(long Lines, long Bytes)> LogSizeAsync(long jobId, CancellationToken cancellationToken)
    {
        long lines = 0, bytes = 0, after = 0;
        while (true)
        {
            var page = await store.ReadLogAsync(jobId, after, 10_000, cancellationToken);
            if (page.Count == 0)
            {
                return (lines, bytes);
            }

            lines += page.Count;
            bytes += page.Sum(l => (long)System.Text.Encoding.UTF8.GetByteCount(l.Text) + 1);
            after = page[^1].Sequence;
        }
    }

    public ValueTask DisposeAsync() => store.DisposeAsync();

    private DbConnection Connect() => options.Store == RunStores.Postgres
        ? new NpgsqlConnection(options.Connection)
        : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = options.Connection, Mode = SqliteOpenMode.ReadOnly }.ConnectionString);
}
