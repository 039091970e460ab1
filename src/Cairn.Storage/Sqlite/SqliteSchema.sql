-- The SQLite schema after its migrations, as sqlite_master holds it, in the order its objects were made (the
-- tables SQLite makes for itself and for the full-text index left out). Written by SqliteSchemaSnapshotTests
-- with CAIRN_UPDATE_GOLDEN=1; do not edit by hand: add a migration, then write this again.
-- version: 28
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
, number INTEGER NOT NULL DEFAULT 0, started_at INTEGER, failure_class TEXT, errors TEXT NOT NULL DEFAULT '[]', concurrency_group TEXT, cancel_requested_at INTEGER, cancel_reason TEXT, rerun_of INTEGER, trigger_json TEXT, changed_at INTEGER, pending_reason TEXT, cancel_in_progress INTEGER NOT NULL DEFAULT 0, waiting_behind INTEGER, trace_parent TEXT);

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
    retry_at         INTEGER, reused_from INTEGER, changed_at INTEGER, priority INTEGER NOT NULL DEFAULT 1, pending_reason TEXT, fair_key INTEGER,
    UNIQUE (run_id, name)
);

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
, fork_pull_requests TEXT NOT NULL DEFAULT 'approve', is_public INTEGER NOT NULL DEFAULT 0, max_running_jobs INTEGER) WITHOUT ROWID;

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
, repository_key TEXT NOT NULL DEFAULT '', trace_parent TEXT);

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

CREATE TABLE run_numbers (
    repository  TEXT    PRIMARY KEY,
    last_number INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX runs_by_repository ON runs (repository, id);

CREATE INDEX runs_by_status ON runs (status, id);

CREATE INDEX runs_by_concurrency_group ON runs (concurrency_group, id) WHERE concurrency_group IS NOT NULL;

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

CREATE TRIGGER jobs_created AFTER INSERT ON jobs BEGIN
    INSERT INTO run_changes (run_id, job_id, status, failure_class, detail, at)
    VALUES (NEW.run_id, NEW.id, NEW.status, NEW.failure_class, NEW.failure_detail, NEW.changed_at);
END;

CREATE TRIGGER jobs_changed AFTER UPDATE OF status ON jobs WHEN NEW.status IS NOT OLD.status BEGIN
    INSERT INTO run_changes (run_id, job_id, status, failure_class, detail, at)
    VALUES (NEW.run_id, NEW.id, NEW.status, NEW.failure_class, NEW.failure_detail, NEW.changed_at);
END;

CREATE TRIGGER jobs_started AFTER UPDATE OF status ON jobs WHEN NEW.status = 'running' AND OLD.status IS NOT 'running' BEGIN
    UPDATE runs SET started_at = NEW.changed_at WHERE id = NEW.run_id AND started_at IS NULL;
END;

CREATE TABLE secrets (
    scope_key    TEXT    NOT NULL,
    scope        TEXT,
    name         TEXT    NOT NULL,
    sealed_value BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (scope_key, name)
) WITHOUT ROWID;

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

CREATE TABLE "secret_audit" (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    run_id     INTEGER,
    job_id     INTEGER,
    repository TEXT,
    secret     TEXT,
    action     TEXT    NOT NULL,
    actor      TEXT,
    detail     TEXT
, token_name TEXT, target TEXT, client_address TEXT, outcome TEXT NOT NULL DEFAULT 'ok');

CREATE UNIQUE INDEX event_journal_by_delivery ON event_journal (source, repository_key, delivery_id) WHERE delivery_id IS NOT NULL;

CREATE VIRTUAL TABLE log_text USING fts5 (
    text, content = '', contentless_delete = 1, tokenize = 'trigram', detail = 'none');

CREATE TABLE log_blocks (
    job_id    INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    PRIMARY KEY (job_id, first_seq)
) WITHOUT ROWID;

CREATE TRIGGER jobs_removed_log_blocks AFTER DELETE ON jobs BEGIN
    DELETE FROM log_text WHERE rowid IN (SELECT (job_id << 32) + first_seq FROM log_blocks WHERE job_id = OLD.id);
    DELETE FROM log_blocks WHERE job_id = OLD.id;
END;

CREATE INDEX runs_held_in_group ON runs (concurrency_group, id) WHERE waiting_behind IS NOT NULL;

CREATE TABLE job_attempts (
    job_id         INTEGER NOT NULL REFERENCES jobs (id),
    attempt        INTEGER NOT NULL,
    status         TEXT    NOT NULL,
    exit_code      INTEGER,
    failure_class  TEXT,
    failure_detail TEXT,
    started_at     INTEGER,
    finished_at    INTEGER,
    worker         TEXT, lease_id TEXT,
    PRIMARY KEY (job_id, attempt)
);

CREATE TABLE dashboard_keys (
    name       TEXT    PRIMARY KEY,
    element    TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE INDEX runs_latest_by_branch ON runs (repository, ref, id);

CREATE INDEX runs_by_repository_status ON runs (repository, status, id);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL UNIQUE,
    email      TEXT,
    role       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0
, external_id TEXT);

CREATE TABLE repository_members (
    repository_key TEXT    NOT NULL,
    repository     TEXT    NOT NULL,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role           TEXT    NOT NULL,
    PRIMARY KEY (repository_key, user_id)
);

CREATE INDEX repository_members_by_user ON repository_members (user_id);

CREATE TABLE team_grants (
    repository_key TEXT NOT NULL,
    repository     TEXT NOT NULL,
    group_name     TEXT NOT NULL,
    role           TEXT NOT NULL,
    PRIMARY KEY (repository_key, group_name)
);

CREATE TABLE api_tokens (
    id           TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    hash         BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_at);

CREATE UNIQUE INDEX users_by_external_id ON users (source, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY,
    user_id    INTEGER  NOT NULL,
    groups     TEXT    NOT NULL,
    method     TEXT    NOT NULL,
    scopes     TEXT,
    created_at INTEGER  NOT NULL,
    seen_at    INTEGER  NOT NULL,
    ended_at   INTEGER
);

CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE INDEX secret_audit_by_actor ON secret_audit (lower(actor), id);

CREATE INDEX secret_audit_by_action ON secret_audit (action, id);

CREATE INDEX secret_audit_by_repository ON secret_audit (lower(repository), id);

CREATE TRIGGER secret_audit_never_changes BEFORE UPDATE ON secret_audit BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER secret_audit_never_shrinks BEFORE DELETE ON secret_audit BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TABLE workers (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    name_key     TEXT    NOT NULL UNIQUE,
    labels       TEXT    NOT NULL DEFAULT '[]',
    token_id     TEXT    NOT NULL UNIQUE,
    token_hash   BLOB    NOT NULL,
    paused       INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    created_by   TEXT,
    last_seen_at INTEGER,
    version      TEXT,
    address      TEXT
);

CREATE INDEX jobs_by_lease ON jobs (lease_id) WHERE lease_id IS NOT NULL;

CREATE INDEX jobs_by_lease_owner ON jobs (lease_owner) WHERE lease_owner IS NOT NULL;

CREATE INDEX job_attempts_by_lease ON job_attempts (lease_id) WHERE lease_id IS NOT NULL;

CREATE TABLE agent_sessions (
    run_id         INTEGER NOT NULL,
    job_id         INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    attempt        INTEGER NOT NULL,
    repository     TEXT    NOT NULL,
    cli            TEXT    NOT NULL,
    model          TEXT,
    session_id     TEXT,
    turns          INTEGER,
    input_tokens   INTEGER,
    output_tokens  INTEGER,
    cost_micros    INTEGER,
    result         TEXT,
    branch         TEXT    NOT NULL,
    head           TEXT,
    transcript     TEXT,
    verify_failure TEXT,
    ended          INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (job_id, attempt)
);

CREATE INDEX agent_sessions_spend ON agent_sessions (repository, updated_at);

CREATE INDEX agent_sessions_run ON agent_sessions (run_id);

CREATE TABLE gates (
    job_id     INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    run_id     INTEGER NOT NULL,
    repository TEXT    NOT NULL,
    approvers  TEXT    NOT NULL,
    min        INTEGER NOT NULL,
    sha        TEXT,
    triggerer  TEXT,
    opened_at  INTEGER NOT NULL,
    deadline   INTEGER
);

CREATE INDEX gates_by_run ON gates (run_id);

CREATE TABLE approvals (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id   INTEGER NOT NULL,
    job_id   INTEGER NOT NULL REFERENCES gates (job_id) ON DELETE CASCADE,
    person   TEXT    NOT NULL,
    channel  TEXT    NOT NULL,
    approved INTEGER NOT NULL,
    sha      TEXT    NOT NULL DEFAULT '',
    comment  TEXT,
    at       INTEGER NOT NULL,
    UNIQUE (job_id, person, sha)
);

CREATE INDEX approvals_by_run ON approvals (run_id, id);

CREATE TABLE trackers (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL,
    workspace      TEXT    NOT NULL,
    project        TEXT    NOT NULL,
    repository     TEXT    NOT NULL,
    api_url        TEXT    NOT NULL,
    bot_user       TEXT,
    webhook_secret BLOB    NOT NULL,
    api_key        BLOB    NOT NULL,
    created_at     INTEGER NOT NULL
);

CREATE TABLE tracker_comments (
    id              INTEGER PRIMARY KEY,
    tracker         INTEGER NOT NULL REFERENCES trackers(id) ON DELETE CASCADE,
    work_item       TEXT    NOT NULL,
    external_id     TEXT    NOT NULL UNIQUE,
    html            TEXT    NOT NULL,
    posted_id       TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    failed          INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
);

CREATE INDEX tracker_comments_due ON tracker_comments (next_attempt_at) WHERE delivered_at IS NULL AND failed = 0;

CREATE INDEX tracker_comments_posted ON tracker_comments (tracker, posted_id);

CREATE TABLE tracker_runs (
    tracker    INTEGER NOT NULL REFERENCES trackers(id) ON DELETE CASCADE,
    work_item  TEXT    NOT NULL,
    run_id     INTEGER NOT NULL,
    pipeline   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tracker, work_item, run_id)
);

CREATE INDEX tracker_runs_run ON tracker_runs (run_id);

CREATE TABLE pull_requests (
    run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    job_id        INTEGER NOT NULL,
    repository    TEXT NOT NULL,
    branch        TEXT NOT NULL,
    number        INTEGER NOT NULL,
    url           TEXT NOT NULL,
    head_sha      TEXT NOT NULL,
    draft         INTEGER NOT NULL,
    checks        TEXT,
    checks_detail TEXT,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (run_id, job_id)
);

CREATE INDEX pull_requests_by_head ON pull_requests (repository, head_sha);

CREATE TABLE artifact_sets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id     INTEGER NOT NULL REFERENCES runs (id),
    job_id     INTEGER NOT NULL,
    job_name   TEXT    NOT NULL,
    attempt    INTEGER NOT NULL,
    repository TEXT,
    blob       TEXT    NOT NULL,
    files      INTEGER NOT NULL,
    bytes      INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE INDEX artifact_sets_by_run ON artifact_sets (run_id, job_id);

CREATE INDEX artifact_sets_by_job ON artifact_sets (job_id);

CREATE INDEX artifact_sets_by_expiry ON artifact_sets (expires_at, id);

CREATE INDEX artifact_sets_by_repository ON artifact_sets (lower(repository));

CREATE TABLE artifact_files (
    set_id      INTEGER NOT NULL REFERENCES artifact_sets (id),
    path        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    "offset"    INTEGER NOT NULL,
    mode        INTEGER NOT NULL,
    modified    INTEGER NOT NULL,
    link_target TEXT,
    PRIMARY KEY (set_id, path)
) WITHOUT ROWID;

CREATE TABLE cache_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    repository   TEXT    NOT NULL,
    scope        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    blob         TEXT    NOT NULL,
    bytes        INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    UNIQUE (repository, scope, key)
);

CREATE INDEX cache_entries_by_use ON cache_entries (repository, last_used_at);

CREATE TABLE blob_deletions (
    blob      TEXT    PRIMARY KEY,
    queued_at INTEGER NOT NULL
);

CREATE TABLE log_chunks (
    job_id    INTEGER NOT NULL REFERENCES jobs (id),
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    lines     TEXT    NOT NULL,
    PRIMARY KEY (job_id, first_seq),
    CHECK (last_seq >= first_seq AND last_seq - first_seq < 64)
);

CREATE TABLE log_unindexed_chunks (
    job_id    INTEGER NOT NULL,
    first_seq INTEGER NOT NULL,
    PRIMARY KEY (job_id, first_seq)
) WITHOUT ROWID;

CREATE TRIGGER log_chunks_overlap BEFORE INSERT ON log_chunks
WHEN (SELECT last_seq FROM log_chunks WHERE job_id = NEW.job_id AND first_seq <= NEW.last_seq ORDER BY first_seq DESC LIMIT 1) >= NEW.first_seq
BEGIN
    SELECT RAISE(ABORT, 'UNIQUE constraint failed: log_chunks.job_id, log_chunks.seq');
END;

CREATE TRIGGER log_chunks_queued AFTER INSERT ON log_chunks BEGIN
    INSERT INTO log_unindexed_chunks (job_id, first_seq) VALUES (NEW.job_id, NEW.first_seq);
END;

CREATE TRIGGER log_chunks_removed AFTER DELETE ON log_chunks BEGIN
    DELETE FROM log_unindexed_chunks WHERE job_id = OLD.job_id AND first_seq = OLD.first_seq;
END;

CREATE VIEW log_lines AS
SELECT c.job_id AS job_id, c.first_seq + l.key AS seq, l.value ->> 0 AS step_idx, l.value ->> 1 AS stream,
       l.value ->> 2 AS ts, l.value ->> 3 AS text
FROM log_chunks AS c, json_each(c.lines) AS l;

CREATE INDEX runs_by_ref ON runs (ref, id);

CREATE INDEX runs_by_event ON runs (event, id);

CREATE INDEX jobs_queued_fairly ON jobs (priority, fair_key, id) WHERE status = 'queued';

CREATE INDEX jobs_running_by_expiry ON jobs (lease_expires_at) WHERE status = 'running';

CREATE INDEX jobs_waiting ON jobs (id) WHERE status = 'waiting';

CREATE INDEX status_outbox_due ON status_outbox (id) WHERE state = 'pending';

