using Cairn.Core.Access;
using Cairn.Core.Artifacts;
using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Gates;
using Cairn.Core.Logs;
using Cairn.Core.Publishing;
using Cairn.Core.Repositories;
using Cairn.Core.Runs;
using Cairn.Core.Schedules;
using Cairn.Core.Secrets;
using Cairn.Core.Settings;
using Cairn.Core.Workers;

namespace Cairn.Storage;

/// <summary>A store that keeps runs and hands out their jobs, and keeps everything a server needs besides (repositories,
/// the event journal, the status outbox, schedules, settings, secrets and their audit log, the dashboard's key ring, users with their grants and API tokens, workers, agent records, approval gates, trackers, pull requests, the index of artifacts and caches), whichever database is behind
/// it, lets followers wait for logs and changes, finds text in every log, and forgets old runs; dispose it to let go of the database.</summary>
public interface ICairnStore
    : IRunStore, IJobQueue, IRepositoryStore, IEventJournal, IStatusOutbox, IScheduleStore, ISettingStore, ISecretStore, IAuditLog,
        IRunFeeds, IRunRetention, ILeaseRecords, ILeaseLiveness, IRunOverview, IDashboardKeyStore, ILogSearch,
        IUserStore, IMemberStore, IApiTokenStore, ISessionStore, IWorkerStore, ITrackerRecords, Core.Agents.IAgentSessionStore,
        IPullRequestStore, IApprovalStore, IArtifactIndex, ICacheIndex, IAsyncDisposable;
