namespace Cairn.Storage.Portable;

/// <summary>The statements of the server's tables that SQLite and PostgreSQL accept as they are. The claims, which
/// differ (PostgreSQL skips rows other claimants hold), are in each dialect's SQL file.</summary>
internal static class ServerSql
{
    public const string RepositoryColumns =
        "name, forge, clone_url, api_url, default_branch, webhook_secret, status_token, allow_fork_secrets, created_at, fork_pull_requests, is_public, "
        + "max_running_jobs";

    public const string JournalColumns =
        "id, source, delivery_id, repository, event_name, trigger_json, state, received_at, run_id, detail, trace_parent";

    public const string OutboxColumns =
        "id, repository, sha, commit_state, context, description, target_url, state, attempts, created_at, next_attempt_at, last_error";

    public const string ScheduleColumns = "id, repository, pipeline, cron, next_fire_at";

    public const string AddRepository = """
        INSERT INTO repositories (
            name_key, name, forge, clone_url, api_url, default_branch, webhook_secret, status_token, allow_fork_secrets, created_at,
            fork_pull_requests, is_public, max_running_jobs)
        VALUES (@key, @name, @forge, @clone, @api, @branch, @webhook, @token, @forks, @created, @fork_pull_requests, @public, @max_running)
        ON CONFLICT (name_key) DO NOTHING;
        """;

    public const string RepositoryByKey = $"SELECT {RepositoryColumns} FROM repositories WHERE name_key = @key;";

    public const string Repositories = $"SELECT {RepositoryColumns} FROM repositories ORDER BY name_key;";

    public const string DeleteRepository = "DELETE FROM repositories WHERE name_key = @key;";

    // A delivery already journaled conflicts and inserts nothing, so no row comes back; a NULL delivery id never conflicts.
    public const string AppendEvent = $"""
        INSERT INTO event_journal (source, delivery_id, repository, repository_key, event_name, trigger_json, state, received_at, detail, trace_parent)
        VALUES (@source, @delivery, @repository, @key, @event, @trigger, @state, @received, @detail, @trace_parent)
        ON CONFLICT (source, repository_key, delivery_id) WHERE delivery_id IS NOT NULL DO NOTHING
        RETURNING {JournalColumns};
        """;

    public const string EventByDelivery =
        $"SELECT {JournalColumns} FROM event_journal WHERE source = @source AND repository_key = @key AND delivery_id = @delivery;";

    public const string EventById = $"SELECT {JournalColumns} FROM event_journal WHERE id = @id;";

    public const string ResolveEvent = """
        UPDATE event_journal SET state = @state, run_id = @run, detail = @detail, claimed_by = NULL, claim_expires_at = NULL
        WHERE id = @id AND state = 'pending';
        """;

    /// <summary>The entries a claimant may take: pending, and held by nobody or by a claim that has run out.</summary>
    public const string ClaimableEvents = """
        SELECT id FROM event_journal
        WHERE state = 'pending' AND (claim_expires_at IS NULL OR claim_expires_at <= @now)
        ORDER BY id
        LIMIT @limit
        """;

    public const string EnqueueStatus = """
        INSERT INTO status_outbox (repository, sha, state, commit_state, context, description, target_url, attempts, created_at, next_attempt_at)
        VALUES (@repository, @sha, 'pending', @commit_state, @context, @description, @target, 0, @at, @at);
        """;

    public const string MarkStatusDelivered = """
        UPDATE status_outbox
        SET state = 'delivered', attempts = attempts + 1, finished_at = @at, claimed_by = NULL, claim_expires_at = NULL
        WHERE id = @id AND state = 'pending';
        """;

    public const string MarkStatusRetry = """
        UPDATE status_outbox
        SET attempts = attempts + 1, next_attempt_at = @next, last_error = @reason, claimed_by = NULL, claim_expires_at = NULL
        WHERE id = @id AND state = 'pending';
        """;

    public const string MarkStatusRejected = """
        UPDATE status_outbox
        SET state = 'rejected', attempts = attempts + 1, finished_at = @at, last_error = @reason, claimed_by = NULL, claim_expires_at = NULL
        WHERE id = @id AND state = 'pending';
        """;

    public const string StatusesOfCommit = $"SELECT {OutboxColumns} FROM status_outbox WHERE repository = @repository AND sha = @sha ORDER BY id;";

    public const string SchedulesOfRepository = "SELECT id, pipeline, cron FROM schedules WHERE repository_key = @key;";

    // A (pipeline, cron) pair the repository already has keeps its row, and so its next fire time.
    public const string AddSchedule = """
        INSERT INTO schedules (repository_key, repository, pipeline, cron, next_fire_at)
        VALUES (@key, @repository, @pipeline, @cron, @next)
        ON CONFLICT (repository_key, pipeline, cron) DO NOTHING;
        """;

    public const string DeleteSchedule = "DELETE FROM schedules WHERE id = @id;";

    public const string DeleteSchedulesOfRepository = "DELETE FROM schedules WHERE repository_key = @key;";

    public const string Schedules = $"SELECT {ScheduleColumns} FROM schedules ORDER BY next_fire_at, id;";

    public const string AdvanceSchedule = "UPDATE schedules SET next_fire_at = @next WHERE id = @id AND next_fire_at = @expected;";

    public const string GetSetting = "SELECT value FROM settings WHERE key = @key;";

    public const string AddSetting = "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING;";

    /// <summary>Changes a setting only while it holds <c>@expected</c> (a compare-and-set): one row changed, or none.</summary>
    public const string MoveSetting = "UPDATE settings SET value = @value WHERE key = @key AND value = @expected;";

    public const string SetSetting = "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value;";
}

/// <summary>One dialect's claims of journal entries and outbox entries: <c>@claimant</c> holds each returned row until
/// <c>@until</c>. Both select their candidates with the portable queries in <see cref="ServerSql"/>.</summary>
internal sealed record ClaimStatements(string ClaimEvents, string ClaimStatuses);
