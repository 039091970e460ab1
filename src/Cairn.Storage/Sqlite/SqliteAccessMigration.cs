namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's people, roles and API tokens (migrations 11 to 13), kept apart from the long list it joins.</summary>
internal static class SqliteAccessMigration
{
    public static Migration Eleven { get; } = new(11, "users, their grants on repositories, team grants and API tokens", """
        -- A name is unique ignoring case: name_key is its lower-case form. AUTOINCREMENT: a removed user's id is never
        -- given to another, so nothing kept about them (a revoked token) can come to name someone else.
        CREATE TABLE users (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            name       TEXT    NOT NULL,
            name_key   TEXT    NOT NULL UNIQUE,
            email      TEXT,
            role       TEXT    NOT NULL,
            source     TEXT    NOT NULL,
            created_at INTEGER NOT NULL,
            disabled   INTEGER NOT NULL DEFAULT 0
        );

        -- Roles granted to users on repositories (repository_key: the repository's name in lower case). A user's removal
        -- removes their grants itself; the cascade also takes one granted while the removal runs.
        CREATE TABLE repository_members (
            repository_key TEXT    NOT NULL,
            repository     TEXT    NOT NULL,
            user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            role           TEXT    NOT NULL,
            PRIMARY KEY (repository_key, user_id)
        );
        CREATE INDEX repository_members_by_user ON repository_members (user_id);

        -- Roles granted to a group, as the identity provider names it, on repositories.
        CREATE TABLE team_grants (
            repository_key TEXT NOT NULL,
            repository     TEXT NOT NULL,
            group_name     TEXT NOT NULL,
            role           TEXT NOT NULL,
            PRIMARY KEY (repository_key, group_name)
        );

        -- API tokens: the SHA-256 of the secret part only. A removed user's tokens stay, revoked.
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
        """);

    public static Migration Twelve { get; } = new(12, "who a user is at their identity provider, public repositories, sign-in sessions", """
        -- The OpenID subject or GitHub id a user signs in as: a name can change at the provider, this cannot.
        ALTER TABLE users ADD COLUMN external_id TEXT;
        CREATE UNIQUE INDEX users_by_external_id ON users (source, external_id) WHERE external_id IS NOT NULL;

        -- A public repository's runs, jobs and logs may be read by anyone, signed in or not.
        ALTER TABLE repositories ADD COLUMN is_public INTEGER NOT NULL DEFAULT 0;

        -- Dashboard sessions, kept on the server so that signing out (or the user's removal) ends them: the cookie
        -- carries a random key, and only its SHA-256 (id) is stored. groups: the identity provider's groups at sign-in;
        -- scopes: those of the API token a person signed in with, which the session never exceeds (NULL: no limit).
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
        """);

    public static Migration Thirteen { get; } = new(13, "the audit log keeps the token used, the target, the client's address and the outcome, and is filtered", """
        -- Who acted is the actor (a user's name) and the token they used; what was acted on, when not only the repository;
        -- where the request came from; how it ended (ok, denied, failed). Entries from before say ok.
        ALTER TABLE secret_audit ADD COLUMN token_name TEXT;
        ALTER TABLE secret_audit ADD COLUMN target TEXT;
        ALTER TABLE secret_audit ADD COLUMN client_address TEXT;
        ALTER TABLE secret_audit ADD COLUMN outcome TEXT NOT NULL DEFAULT 'ok';

        -- The filters (actor and repository ignoring case, action exactly), each newest first.
        CREATE INDEX secret_audit_by_actor ON secret_audit (lower(actor), id);
        CREATE INDEX secret_audit_by_action ON secret_audit (action, id);
        CREATE INDEX secret_audit_by_repository ON secret_audit (lower(repository), id);

        -- Append-only: nothing changes or removes an entry.
        CREATE TRIGGER secret_audit_never_changes BEFORE UPDATE ON secret_audit BEGIN
            SELECT RAISE(ABORT, 'the audit log is append-only');
        END;
        CREATE TRIGGER secret_audit_never_shrinks BEFORE DELETE ON secret_audit BEGIN
            SELECT RAISE(ABORT, 'the audit log is append-only');
        END;
        """);
}
