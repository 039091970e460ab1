namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's first changes (migrations 1 to 9), released before the later ones moved to files of their
/// own. Never edit an entry.</summary>
internal static class SqliteFirstMigrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "runs, jobs, steps and log lines", """
            CREATE TABLE runs (
                id              INTEGER PRIMARY KEY,
                pipeline_name   TEXT    NOT NULL,
                event           TEXT    NOT NULL,
                ref             TEXT,
                sha             TEXT,
                repository      TEXT,
                status          TEXT    NOT NULL,
                created_at      INTEGER NOT NULL,
                finished_at     INTEGER,
                idempotency_key TEXT    UNIQUE,
                inputs          TEXT    NOT NULL DEFAULT '{}'
            );

            CREATE TABLE jobs (
                id               INTEGER PRIMARY KEY,
                run_id           INTEGER NOT NULL REFERENCES runs (id),
                ordinal          INTEGER NOT NULL,
                name             TEXT    NOT NULL,
                key              TEXT    NOT NULL,
                needs            TEXT    NOT NULL DEFAULT '[]',
                labels           TEXT    NOT NULL DEFAULT '[]',
                status           TEXT    NOT NULL,
                attempt          INTEGER NOT NULL DEFAULT 0,
                exit_code        INTEGER,
                failure_class    TEXT,
                failure_detail   TEXT,
                started_at       INTEGER,
                finished_at      INTEGER,
                definition       TEXT    NOT NULL,
                lease_id         TEXT,
                lease_owner      TEXT,
                lease_expires_at INTEGER,
                retry_at         INTEGER,
                UNIQUE (run_id, name)
            );

            -- Leasing walks the queued jobs oldest first and stops at the first one that fits, so the index keeps
            -- them in id order (an index on retry_at would make it sort them all); the reaper will look up running
            -- jobs by lease expiry.
            CREATE INDEX jobs_by_status ON jobs (status, id);
            CREATE INDEX jobs_by_status_lease ON jobs (status, lease_expires_at);

            CREATE TABLE steps (
                job_id      INTEGER NOT NULL REFERENCES jobs (id),
                idx         INTEGER NOT NULL,
                name        TEXT    NOT NULL,
                status      TEXT    NOT NULL,
                exit_code   INTEGER,
                started_at  INTEGER,
                finished_at INTEGER,
                PRIMARY KEY (job_id, idx)
            ) WITHOUT ROWID;

            CREATE TABLE log_lines (
                job_id   INTEGER NOT NULL REFERENCES jobs (id),
                seq      INTEGER NOT NULL,
                step_idx INTEGER NOT NULL,
                stream   TEXT    NOT NULL,
                ts       INTEGER NOT NULL,
                text     TEXT    NOT NULL,
                PRIMARY KEY (job_id, seq)
            ) WITHOUT ROWID;
            """),
        new(2, "server tables: repositories, the event journal, the status outbox, schedules and settings", """
            -- Names are compared without regard to case, as forges compare them: name_key is the name in lower case.
            CREATE TABLE repositories (
                name_key           TEXT    PRIMARY KEY,
                name               TEXT    NOT NULL,
                forge              TEXT    NOT NULL,
                clone_url          TEXT    NOT NULL,
                api_url            TEXT    NOT NULL,
                default_branch     TEXT    NOT NULL,
                webhook_secret     BLOB,
                status_token       BLOB,
                allow_fork_secrets INTEGER NOT NULL DEFAULT 0,
                created_at         INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE event_journal (
                id               INTEGER PRIMARY KEY,
                source           TEXT    NOT NULL,
                delivery_id      TEXT,
                repository       TEXT    NOT NULL,
                event_name       TEXT    NOT NULL,
                trigger_json     TEXT    NOT NULL,
                state            TEXT    NOT NULL,
                received_at      INTEGER NOT NULL,
                run_id           INTEGER,
                detail           TEXT,
                claimed_by       TEXT,
                claim_expires_at INTEGER
            );

            CREATE UNIQUE INDEX event_journal_by_delivery ON event_journal (source, delivery_id) WHERE delivery_id IS NOT NULL;
            CREATE INDEX event_journal_pending ON event_journal (id) WHERE state = 'pending';
            CREATE INDEX event_journal_by_repository ON event_journal (repository, id);

            CREATE TABLE status_outbox (
                id               INTEGER PRIMARY KEY,
                repository       TEXT    NOT NULL,
                sha              TEXT    NOT NULL,
                state            TEXT    NOT NULL,
                commit_state     TEXT    NOT NULL,
                context          TEXT    NOT NULL,
                description      TEXT    NOT NULL,
                target_url       TEXT,
                attempts         INTEGER NOT NULL DEFAULT 0,
                created_at       INTEGER NOT NULL,
                next_attempt_at  INTEGER NOT NULL,
                finished_at      INTEGER,
                last_error       TEXT,
                claimed_by       TEXT,
                claim_expires_at INTEGER
            );

            CREATE INDEX status_outbox_by_commit ON status_outbox (repository, sha, id);
            CREATE INDEX status_outbox_pending ON status_outbox (repository, sha, id) WHERE state = 'pending';

            CREATE TABLE schedules (
                id             INTEGER PRIMARY KEY,
                repository_key TEXT    NOT NULL,
                repository     TEXT    NOT NULL,
                pipeline       TEXT    NOT NULL,
                cron           TEXT    NOT NULL,
                next_fire_at   INTEGER NOT NULL,
                UNIQUE (repository_key, pipeline, cron)
            );

            CREATE INDEX schedules_by_next_fire ON schedules (next_fire_at);

            CREATE TABLE settings (
                key   TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) WITHOUT ROWID;
            """),
        new(3, "run details: numbers, failures, concurrency groups, cancel requests, reruns, triggers, the change feed", """
            ALTER TABLE runs ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE runs ADD COLUMN started_at INTEGER;
            ALTER TABLE runs ADD COLUMN failure_class TEXT;
            ALTER TABLE runs ADD COLUMN errors TEXT NOT NULL DEFAULT '[]';
            ALTER TABLE runs ADD COLUMN concurrency_group TEXT;
            ALTER TABLE runs ADD COLUMN cancel_requested_at INTEGER;
            ALTER TABLE runs ADD COLUMN cancel_reason TEXT;
            ALTER TABLE runs ADD COLUMN rerun_of INTEGER;
            ALTER TABLE runs ADD COLUMN trigger_json TEXT;
            ALTER TABLE runs ADD COLUMN changed_at INTEGER;
            ALTER TABLE jobs ADD COLUMN reused_from INTEGER;
            ALTER TABLE jobs ADD COLUMN changed_at INTEGER;

            -- Runs stored before now are numbered in the order they were made, per repository, and keep what is known
            -- of their trigger and their start.
            UPDATE runs SET number = numbered.number
            FROM (SELECT id, row_number() OVER (PARTITION BY coalesce(lower(repository), '') ORDER BY id) AS number FROM runs) AS numbered
            WHERE runs.id = numbered.id;

            UPDATE runs SET
                trigger_json = json_object(
                    'event', event, 'repository', repository, 'ref', ref, 'sha', sha, 'inputs', json(inputs),
                    'idempotencyKey', idempotency_key),
                started_at = (SELECT min(jobs.started_at) FROM jobs WHERE jobs.run_id = runs.id);

            -- The last number given in each repository (lower case; '' for runs without one).
            CREATE TABLE run_numbers (
                repository  TEXT    PRIMARY KEY,
                last_number INTEGER NOT NULL
            ) WITHOUT ROWID;

            INSERT INTO run_numbers (repository, last_number)
            SELECT coalesce(lower(repository), ''), max(number) FROM runs GROUP BY coalesce(lower(repository), '');

            CREATE INDEX runs_by_repository ON runs (repository, id);
            CREATE INDEX runs_by_status ON runs (status, id);
            CREATE INDEX runs_by_concurrency_group ON runs (concurrency_group, id) WHERE concurrency_group IS NOT NULL;

            -- Every status a run or job takes, in commit order (one writer at a time: ids commit in order). The triggers
            -- write it in the transaction of the change itself, so no way of changing a status can forget it. Ids are
            -- never reused as long as the newest change is kept.
            CREATE TABLE run_changes (
                id            INTEGER PRIMARY KEY,
                run_id        INTEGER NOT NULL,
                job_id        INTEGER,
                status        TEXT    NOT NULL,
                failure_class TEXT,
                detail        TEXT,
                at            INTEGER NOT NULL
            );

            CREATE INDEX run_changes_by_run ON run_changes (run_id, id);

            CREATE TRIGGER runs_created AFTER INSERT ON runs BEGIN
                INSERT INTO run_changes (run_id, job_id, status, failure_class, detail, at)
                VALUES (NEW.id, NULL, NEW.status, NEW.failure_class, json_extract(NEW.errors, '$[0]'), NEW.changed_at);
            END;

            CREATE TRIGGER runs_changed AFTER UPDATE OF status ON runs WHEN NEW.status IS NOT OLD.status BEGIN
                INSERT INTO run_changes (run_id, job_id, status, failure_class, detail, at)
                VALUES (NEW.id, NULL, NEW.status, NEW.failure_class, json_extract(NEW.errors, '$[0]'), NEW.changed_at);
            END;

            CREATE TRIGGER jobs_created AFTER INSERT ON jobs BEGIN
                INSERT INTO run_changes (run_id, job_id, status, failure_class, detail, at)
                VALUES (NEW.run_id, NEW.id, NEW.status, NEW.failure_class, NEW.failure_detail, NEW.changed_at);
            END;

            CREATE TRIGGER jobs_changed AFTER UPDATE OF status ON jobs WHEN NEW.status IS NOT OLD.status BEGIN
                INSERT INTO run_changes (run_id, job_id, status, failure_class, detail, at)
                VALUES (NEW.run_id, NEW.id, NEW.status, NEW.failure_class, NEW.failure_detail, NEW.changed_at);
            END;

            -- A run has started when its first job does.
            CREATE TRIGGER jobs_started AFTER UPDATE OF status ON jobs WHEN NEW.status = 'running' AND OLD.status IS NOT 'running' BEGIN
                UPDATE runs SET started_at = NEW.changed_at WHERE id = NEW.run_id AND started_at IS NULL;
            END;
            """),
        new(4, "secrets, sealed, by repository or global, and the audit log of their use", """
            -- scope_key is the repository's name in lower case, or '' for a global secret; scope keeps the name as given.
            CREATE TABLE secrets (
                scope_key    TEXT    NOT NULL,
                scope        TEXT,
                name         TEXT    NOT NULL,
                sealed_value BLOB    NOT NULL,
                created_at   INTEGER NOT NULL,
                updated_at   INTEGER NOT NULL,
                PRIMARY KEY (scope_key, name)
            ) WITHOUT ROWID;

            -- Who read or changed which secret, and when; never a value.
            CREATE TABLE secret_audit (
                id         INTEGER PRIMARY KEY,
                at         INTEGER NOT NULL,
                run_id     INTEGER,
                job_id     INTEGER,
                repository TEXT,
                secret     TEXT    NOT NULL,
                action     TEXT    NOT NULL
            );
            """),
        new(5, "pull requests from forks: a repository's policy, runs that wait for approval, approvals in the audit log", """
            -- What a repository does with a pull request from a fork: approve (its run waits for a maintainer), run, or ignore.
            ALTER TABLE repositories ADD COLUMN fork_pull_requests TEXT NOT NULL DEFAULT 'approve';

            -- A run may be created 'waiting' (for approval), saying why; it keeps whether it cancels the older runs of its
            -- concurrency group, which it does when it starts.
            ALTER TABLE runs ADD COLUMN pending_reason TEXT;
            ALTER TABLE runs ADD COLUMN cancel_in_progress INTEGER NOT NULL DEFAULT 0;

            -- The feed says why a run waits and why a run was cancelled, so that statuses and live streams can say it too.
            DROP TRIGGER runs_created;
            DROP TRIGGER runs_changed;

            CREATE TRIGGER runs_created AFTER INSERT ON runs BEGIN
                INSERT INTO run_changes (run_id, job_id, status, failure_class, detail, at)
                VALUES (NEW.id, NULL, NEW.status, NEW.failure_class,
                    CASE NEW.status
                        WHEN 'waiting' THEN NEW.pending_reason
                        WHEN 'cancelled' THEN NEW.cancel_reason
                        ELSE json_extract(NEW.errors, '$[0]')
                    END,
                    NEW.changed_at);
            END;

            CREATE TRIGGER runs_changed AFTER UPDATE OF status ON runs WHEN NEW.status IS NOT OLD.status BEGIN
                INSERT INTO run_changes (run_id, job_id, status, failure_class, detail, at)
                VALUES (NEW.id, NULL, NEW.status, NEW.failure_class,
                    CASE NEW.status
                        WHEN 'waiting' THEN NEW.pending_reason
                        WHEN 'cancelled' THEN NEW.cancel_reason
                        ELSE json_extract(NEW.errors, '$[0]')
                    END,
                    NEW.changed_at);
            END;

            -- The audit log also keeps the runs a person approved or rejected (no secret), who did (the admin token, so far)
            -- and what they said. SQLite cannot drop a NOT NULL, so the table is built again under its old name.
            CREATE TABLE secret_audit_5 (
                id         INTEGER PRIMARY KEY,
                at         INTEGER NOT NULL,
                run_id     INTEGER,
                job_id     INTEGER,
                repository TEXT,
                secret     TEXT,
                action     TEXT    NOT NULL,
                actor      TEXT,
                detail     TEXT
            );

            INSERT INTO secret_audit_5 (id, at, run_id, job_id, repository, secret, action, actor)
            SELECT id, at, run_id, job_id, repository, secret, action, CASE WHEN action = 'read' THEN NULL ELSE 'admin' END
            FROM secret_audit;

            DROP TABLE secret_audit;
            ALTER TABLE secret_audit_5 RENAME TO secret_audit;
            """),
        new(6, "the event journal's deliveries are unique per repository", """
            -- A forge's delivery id says nothing about which repository sent it: the same id from another repository is
            -- another delivery. repository_key is the name in lower case, as repositories.name_key is (lower() folds
            -- only ASCII, which is all a forge allows in a repository's name).
            ALTER TABLE event_journal ADD COLUMN repository_key TEXT NOT NULL DEFAULT '';
            UPDATE event_journal SET repository_key = lower(repository);

            DROP INDEX event_journal_by_delivery;
            CREATE UNIQUE INDEX event_journal_by_delivery ON event_journal (source, repository_key, delivery_id) WHERE delivery_id IS NOT NULL;
            """),
        new(7, "an index of log text, for finding the runs whose logs hold a piece of text", """
            -- FTS5 with the trigram tokenizer: every three characters, without regard to case, of blocks of up to 64
            -- consecutive lines (8 KB) of one job, joined with line feeds. A trigram repeated within a block is kept once,
            -- and logs repeat themselves, so a block costs the index a fraction of its lines one by one. Contentless (the
            -- text stays in log_lines only) and without positions (detail=none), to keep it small; a search checks the
            -- lines of the blocks the index finds against the text itself. A block is the row job_id * 2^32 + its first
            -- seq (a job has far fewer than 2^32 lines); log_blocks gives its last. contentless_delete lets retention take
            -- a job's blocks out of it.
            CREATE VIRTUAL TABLE log_text USING fts5 (
                text, content = '', contentless_delete = 1, tokenize = 'trigram', detail = 'none');

            CREATE TABLE log_blocks (
                job_id    INTEGER NOT NULL,
                first_seq INTEGER NOT NULL,
                last_seq  INTEGER NOT NULL,
                PRIMARY KEY (job_id, first_seq)
            ) WITHOUT ROWID;

            -- New lines wait here to be indexed, thousands in a transaction, cut into blocks (FTS5 indexes many times
            -- faster so than in the append's own small one, and the blocks come out full); a search indexes what still
            -- waits before it looks. Lines stored before now wait too. Lines are never changed.
            CREATE TABLE log_unindexed (
                job_id INTEGER NOT NULL,
                seq    INTEGER NOT NULL,
                PRIMARY KEY (job_id, seq)
            ) WITHOUT ROWID;

            INSERT INTO log_unindexed (job_id, seq) SELECT job_id, seq FROM log_lines;

            CREATE TRIGGER log_lines_queued AFTER INSERT ON log_lines BEGIN
                INSERT INTO log_unindexed (job_id, seq) VALUES (NEW.job_id, NEW.seq);
            END;

            CREATE TRIGGER log_lines_removed AFTER DELETE ON log_lines BEGIN
                DELETE FROM log_unindexed WHERE job_id = OLD.job_id AND seq = OLD.seq;
            END;

            -- A job's lines go before the job does (retention); its blocks go with it.
            CREATE TRIGGER jobs_removed_log_blocks AFTER DELETE ON jobs BEGIN
                DELETE FROM log_text WHERE rowid IN (SELECT (job_id << 32) + first_seq FROM log_blocks WHERE job_id = OLD.id);
                DELETE FROM log_blocks WHERE job_id = OLD.id;
            END;
            """),
        new(8, "concurrency groups hold runs back: the run a held run waits behind", """
            -- A run held in its concurrency group is 'waiting' with the run ahead of it here (its pending_reason names that
            -- run); a run that waits for approval keeps NULL. The held runs of a group are found by this index.
            ALTER TABLE runs ADD COLUMN waiting_behind INTEGER;
            CREATE INDEX runs_held_in_group ON runs (concurrency_group, id) WHERE waiting_behind IS NOT NULL;
            """),
        new(9, "every attempt of a job, and the dashboard's cookie keys shared by every server on the database", """
            -- One row per ended attempt of a job, written with the move that ended it. The jobs row keeps the latest.
            CREATE TABLE job_attempts (
                job_id         INTEGER NOT NULL REFERENCES jobs (id),
                attempt        INTEGER NOT NULL,
                status         TEXT    NOT NULL,
                exit_code      INTEGER,
                failure_class  TEXT,
                failure_detail TEXT,
                started_at     INTEGER,
                finished_at    INTEGER,
                worker         TEXT,
                PRIMARY KEY (job_id, attempt)
            );

            -- The data-protection key ring of the dashboard's session cookie, each element sealed with the server's key.
            CREATE TABLE dashboard_keys (
                name       TEXT    PRIMARY KEY,
                element    TEXT    NOT NULL,
                created_at INTEGER NOT NULL
            );
            """),
    ];
}
