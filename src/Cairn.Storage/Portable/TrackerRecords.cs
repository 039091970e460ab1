using System.Data.Common;
using Cairn.Core.Trackers;
using static Cairn.Storage.Portable.RecordRows;

namespace Cairn.Storage.Portable;

/// <summary>Trackers, their comment outbox and their runs, alike for both dialects.</summary>
internal sealed class TrackerRecords(IStatementRunner database) : ITrackerRecords
{
    private const string Columns = "id, kind, workspace, project, repository, api_url, bot_user, created_at";
    private const string CommentColumns =
        "id, tracker, work_item, external_id, html, attempts, next_attempt_at, delivered_at, posted_id, last_error";

    public async Task<TrackerRecord> AddTrackerAsync(NewSealedTracker tracker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        var added = await database.WriteReturningAsync(
            $"""
            INSERT INTO trackers (kind, workspace, project, repository, api_url, webhook_secret, api_key, created_at)
            VALUES (@kind, @workspace, @project, @repository, @api_url, @secret, @key, @created)
            RETURNING {Columns};
            """,
            c => c.Bind("@kind", tracker.Kind)
                .Bind("@workspace", tracker.Workspace)
                .Bind("@project", tracker.Project)
                .Bind("@repository", tracker.Repository)
                .Bind("@api_url", tracker.ApiUrl.ToString())
                .Bind("@secret", tracker.SealedWebhookSecret)
                .Bind("@key", tracker.SealedApiKey)
                .Bind("@created", ToMillis(tracker.CreatedAt)),
            ReadTracker,
            cancellationToken);
        return added.Single();
    }

    public async Task<IReadOnlyList<TrackerRecord>> GetTrackersAsync(CancellationToken cancellationToken) =>
        await database.QueryAsync($"SELECT {Columns} FROM trackers ORDER BY id;", _ => { }, ReadTracker, cancellationToken);

    public async Task<TrackerRecord?> GetTrackerAsync(long id, CancellationToken cancellationToken) =>
        (await database.QueryAsync($"SELECT {Columns} FROM trackers WHERE id = @id;", c => c.Bind("@id", id), ReadTracker, cancellationToken))
        .SingleOrDefault();

    public async Task<SealedTrackerSecrets?> GetSealedTrackerSecretsAsync(long id, CancellationToken cancellationToken) =>
        (await database.QueryAsync(
            "SELECT id, webhook_secret, api_key FROM trackers WHERE id = @id;",
            c => c.Bind("@id", id),
            row => new SealedTrackerSecrets(row.GetInt64(0), (byte[])row.GetValue(1), (byte[])row.GetValue(2)),
            cancellationToken)).SingleOrDefault();

    public async Task<bool> SetTrackerBotUserAsync(long id, string botUser, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            "UPDATE trackers SET bot_user = @bot WHERE id = @id;", c => c.Bind("@id", id).Bind("@bot", botUser), cancellationToken) == 1;

    public Task<bool> RemoveTrackerAsync(long id, CancellationToken cancellationToken) =>
        database.InTransactionAsync(
            async transaction =>
            {
                await transaction.ExecuteAsync("DELETE FROM tracker_comments WHERE tracker = @id;", c => c.Bind("@id", id), cancellationToken);
                await transaction.ExecuteAsync("DELETE FROM tracker_runs WHERE tracker = @id;", c => c.Bind("@id", id), cancellationToken);
                return await transaction.ExecuteAsync("DELETE FROM trackers WHERE id = @id;", c => c.Bind("@id", id), cancellationToken) == 1;
            },
            cancellationToken);

    public async Task<bool> EnqueueCommentAsync(
        long tracker, string workItem, string externalId, string html, DateTimeOffset at, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            """
            INSERT INTO tracker_comments (tracker, work_item, external_id, html, next_attempt_at, created_at)
            VALUES (@tracker, @item, @external, @html, @at, @at)
            ON CONFLICT (external_id) DO NOTHING;
            """,
            c => c.Bind("@tracker", tracker).Bind("@item", workItem).Bind("@external", externalId).Bind("@html", html).Bind("@at", ToMillis(at)),
            cancellationToken) == 1;

    public async Task<IReadOnlyList<TrackerComment>> GetDueCommentsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            $"""
            SELECT {CommentColumns} FROM tracker_comments
            WHERE delivered_at IS NULL AND NOT failed AND next_attempt_at <= @now
            ORDER BY next_attempt_at, id LIMIT @limit;
            """,
            c => c.Bind("@now", ToMillis(now)).Bind("@limit", limit),
            ReadComment,
            cancellationToken);

    public async Task<TrackerComment?> GetCommentAsync(string externalId, CancellationToken cancellationToken) =>
        (await database.QueryAsync(
            $"SELECT {CommentColumns} FROM tracker_comments WHERE external_id = @external;",
            c => c.Bind("@external", externalId),
            ReadComment,
            cancellationToken)).SingleOrDefault();

    public Task MarkCommentDeliveredAsync(long id, string? postedId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.ExecuteAsync(
            """
            UPDATE tracker_comments SET delivered_at = @at, posted_id = @posted, attempts = attempts + 1, last_error = NULL
            WHERE id = @id AND delivered_at IS NULL;
            """,
            c => c.Bind("@id", id).Bind("@posted", postedId).Bind("@at", ToMillis(at)),
            cancellationToken);

    public Task MarkCommentFailedAsync(long id, string error, DateTimeOffset? nextAttemptAt, CancellationToken cancellationToken) =>
        nextAttemptAt is { } next
            ? database.ExecuteAsync(
                """
                UPDATE tracker_comments SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next
                WHERE id = @id AND delivered_at IS NULL;
                """,
                c => c.Bind("@id", id).Bind("@error", error).Bind("@next", ToMillis(next)),
                cancellationToken)
            : database.ExecuteAsync(
                """
                UPDATE tracker_comments SET attempts = attempts + 1, last_error = @error, failed = TRUE
                WHERE id = @id AND delivered_at IS NULL;
                """,
                c => c.Bind("@id", id).Bind("@error", error),
                cancellationToken);

    public async Task<bool> IsOwnCommentAsync(long tracker, string postedId, CancellationToken cancellationToken) =>
        (await database.QueryAsync(
            "SELECT 1 FROM tracker_comments WHERE tracker = @tracker AND posted_id = @posted LIMIT 1;",
            c => c.Bind("@tracker", tracker).Bind("@posted", postedId),
            _ => true,
            cancellationToken)).Count > 0;

    public async Task<bool> DeferEventAsync(long eventId, DateTimeOffset until, string detail, CancellationToken cancellationToken) =>
        await database.ExecuteAsync(
            """
            UPDATE event_journal SET claimed_by = NULL, claim_expires_at = @until, detail = @detail
            WHERE id = @id AND state = 'pending';
            """,
            c => c.Bind("@id", eventId).Bind("@until", ToMillis(until)).Bind("@detail", detail),
            cancellationToken) == 1;

    public Task AddTrackerRunAsync(TrackerRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return database.ExecuteAsync(
            """
            INSERT INTO tracker_runs (tracker, work_item, run_id, pipeline, created_at) VALUES (@tracker, @item, @run, @pipeline, @at)
            ON CONFLICT (tracker, work_item, run_id) DO NOTHING;
            """,
            c => c.Bind("@tracker", run.Tracker).Bind("@item", run.WorkItem).Bind("@run", run.RunId).Bind("@pipeline", run.Pipeline)
                .Bind("@at", ToMillis(run.CreatedAt)),
            cancellationToken);
    }

    public async Task<IReadOnlyList<TrackerRun>> GetTrackerRunsAsync(long tracker, string workItem, CancellationToken cancellationToken) =>
        await database.QueryAsync(
            """
            SELECT tracker, work_item, run_id, pipeline, created_at FROM tracker_runs
            WHERE tracker = @tracker AND work_item = @item ORDER BY run_id DESC;
            """,
            c => c.Bind("@tracker", tracker).Bind("@item", workItem),
            row => new TrackerRun(row.GetInt64(0), row.GetString(1), row.GetInt64(2), row.GetString(3), FromMillis(row.GetInt64(4))),
            cancellationToken);

    private static TrackerRecord ReadTracker(DbDataReader row) => new(
        row.GetInt64(0), row.GetString(1), row.GetString(2), row.GetString(3), row.GetString(4), new Uri(row.GetString(5)),
        StringOrNull(row, 6), FromMillis(row.GetInt64(7)));

    private static TrackerComment ReadComment(DbDataReader row) => new(
        row.GetInt64(0), row.GetInt64(1), row.GetString(2), row.GetString(3), row.GetString(4), Convert.ToInt32(row.GetValue(5), System.Globalization.CultureInfo.InvariantCulture),
        FromMillis(row.GetInt64(6)), TimeOrNull(row, 7), StringOrNull(row, 8), StringOrNull(row, 9));
}
