namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's approval gates and the decisions on them (migration 19).</summary>
internal static class SqliteGateMigration
{
    public static Migration Nineteen { get; } = new(19, "approval jobs keep their gate and the decisions on it", """
        -- An approval job's gate once its needs ended: who may decide (JSON array as written), how many approvals it needs,
        -- the commit they approve, who started the run, when it opened and until when it waits.
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

        -- One person's decision on a gate for one commit: a later decision of theirs on the same commit replaces it.
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
        """);
}
