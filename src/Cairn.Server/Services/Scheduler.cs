using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Pipelines;
using Cairn.Core.Repositories;
using Cairn.Core.Schedules;
using Cairn.Core.Triggers;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Services;

/// <summary>Fires <c>on.schedule</c> crons. Each due tick is claimed by a compare-and-set of its next fire time, so it
/// fires once however many replicas look; the next time is computed from now, so ticks missed while every server was
/// down fire once, not once each. A fired tick is journaled like a webhook and planned the same way.</summary>
internal sealed partial class Scheduler(
    IScheduleStore schedules, IRepositoryStore repositories, IEventJournal journal, RunStarter starter, RepositoryRegistrations registrations, PlanningSignal planning, TimeProvider time, ILogger<Scheduler> log)
    : LoopingService("the scheduler", Tick, time, log)
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(5);
    private readonly SemaphoreSlim looking = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var registering = RegisterAsync(stoppingToken);
        await base.ExecuteAsync(stoppingToken);
        await registering.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    protected override async Task RoundAsync(CancellationToken stoppingToken)
    {
        await FireDueAsync(stoppingToken);
        await Task.Delay(Tick, Time, stoppingToken);
    }

    /// <summary>Fires every schedule whose time has come; returns how many this replica fired. Looks are taken one at a
    /// time, so a look asked for while a round is under way starts after that round has ended.</summary>
    public async Task<int> FireDueAsync(CancellationToken cancellationToken)
    {
        await looking.WaitAsync(cancellationToken);
        try
        {
            return await FireDueNowAsync(cancellationToken);
        }
        finally
        {
            looking.Release();
        }
    }

    private async Task<int> FireDueNowAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var fired = 0;
        foreach (var schedule in await schedules.ListSchedulesAsync(cancellationToken))
        {
            if (schedule.NextFireAt > now)
            {
                continue;
            }

            if (!CronSchedule.TryParseSpec(schedule.Cron, out var cron) || cron!.GetNextOccurrence(now) is not { } next)
            {
                continue;
            }

            if (!await schedules.TryAdvanceScheduleAsync(schedule.Id, schedule.NextFireAt, next, cancellationToken))
            {
                continue;
            }

            var repository = await repositories.GetRepositoryAsync(schedule.Repository, cancellationToken);
            if (repository is null)
            {
                continue;
            }

            var tick = schedule.NextFireAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture);
            var key = $"schedule:{schedule.Id}:{tick}";
            var trigger = new TriggerEvent(TriggerKind.Schedule, repository.Name, $"refs/heads/{repository.DefaultBranch}", null,
                new Dictionary<string, string>(StringComparer.Ordinal), key);
            await journal.AppendEventAsync(new NewJournalEntry("schedule", key, repository.Name, $"schedule {schedule.Cron}", TriggerEventJson.Serialize(trigger), now), cancellationToken);
            fired++;
            LogFired(log, repository.Name, schedule.Cron, tick);
        }

        if (fired > 0)
        {
            planning.Wake();
        }

        return fired;
    }

    // Every repository's crons are read at start (a push may have changed them while no server ran), and those of
    // repositories added later as they come.
    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var repository in await repositories.ListRepositoriesAsync(cancellationToken))
            {
                await RefreshAsync(repository.Name, cancellationToken);
            }

            await foreach (var name in registrations.Reader.ReadAllAsync(cancellationToken))
            {
                await RefreshAsync(name, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task RefreshAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            if (await repositories.GetRepositoryAsync(name, cancellationToken) is { } repository)
            {
                await starter.RefreshSchedulesAsync(repository, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            LogRegisterFailed(log, name, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "schedule of {Repository} fired: {Cron} at {Tick}")]
    private static partial void LogFired(ILogger logger, string repository, string cron, string tick);

    [LoggerMessage(Level = LogLevel.Warning, Message = "the schedules of {Repository} could not be read: {Reason}")]
    private static partial void LogRegisterFailed(ILogger logger, string repository, string reason);

}
