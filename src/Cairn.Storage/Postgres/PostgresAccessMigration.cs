namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema's people, roles and API tokens (migrations 11 to 13), kept apart from the long list it joins.</summary>
internal static class PostgresAccessMigration
{
    public static Migration Eleven { get; } = new(11, "users, their grants on repositories, team grants and API tokens", """
        -- A name is unique ignoring case: name_key is its lower-case form. An identity never gives an id twice, so
        -- nothing kept about a removed user (a revoked token) can come to name someone else.
        CREATE TABLE users (
            id         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name       text    NOT NULL,
            name_key   text    NOT NULL UNIQUE,
            email      text,
            role       text    NOT NULL,
            source     text    NOT NULL,
            created_at bigint  NOT NULL,
            disabled   boolean NOT NULL DEFAULT false
        );

        -- Roles granted to users on repositories (repository_key: the repository's name in lower case). A user's removal
        -- removes their grants itself; the cascade also takes one granted while the removal runs.
        CREATE TABLE repository_members (
            repository_key text   NOT NULL,
            repository     text   NOT NULL,
            user_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            role           text   NOT NULL,
            PRIMARY KEY (repository_key, user_id)
        );
        CREATE INDEX repository_members_by_user ON repository_members (user_id);

        -- Roles granted to a group, as the identity provider names it, on repositories.
        CREATE TABLE team_grants (
            repository_key text NOT NULL,
            repository     text NOT NULL,
            group_name     text NOT NULL,
            role           text NOT NULL,
            PRIMARY KEY (repository_key, group_name)
        );

        -- API tokens: the SHA-256 of the secret part only. A removed user's tokens stay, revoked.
        CREATE TABLE api_tokens (
            id           text   PRIMARY KEY,
            user_id      bigint NOT NULL,
            name         text   NOT NULL,
            scopes       text   NOT NULL,
            hash         bytea  NOT NULL,
            created_at   bigint NOT NULL,
            expires_at   bigint,
            last_used_at bigint,
            revoked_at   bigint
        );
        CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_at);
        """);

    public static Migration Twelve { get; } = new(12, "who a user is at their identity provider, public repositories, sign-in sessions", """
        -- The OpenID subject or GitHub id a user signs in as: a name can change at the provider, this cannot.
        ALTER TABLE users ADD COLUMN external_id text;
        CREATE UNIQUE INDEX users_by_external_id ON users (source, external_id) WHERE external_id IS NOT NULL;

        -- A public repository's runs, jobs and logs may be read by anyone, signed in or not.
        ALTER TABLE repositories ADD COLUMN is_public boolean NOT NULL DEFAULT false;

        -- Dashboard sessions, kept on the server so that signing out (or the user's removal) ends them: the cookie
        -- carries a random key, and only its SHA-256 (id) is stored. groups: the identity provider's groups at sign-in;
        -- scopes: those of the API token a person signed in with, which the session never exceeds (NULL: no limit).
        CREATE TABLE sessions (
            id         text    PRIMARY KEY,
            user_id    bigint  NOT NULL,
            groups     text    NOT NULL,
            method     text    NOT NULL,
            scopes     text,
            created_at bigint  NOT NULL,
            seen_at    bigint  NOT NULL,
            ended_at   bigint
        );
        CREATE INDEX sessions_by_user ON sessions (user_id);
        """);

    public static Migration Thirteen { get; } = new(13, "the audit log keeps the token used, the target, the client's address and the outcome, and is filtered", """
        -- Who acted is the actor (a user's name) and the token they used; what was acted on, when not only the repository;
        -- where the request came from; how it ended (ok, denied, failed). Entries from before say ok.
        ALTER TABLE secret_audit
            ADD COLUMN token_name     text,
            ADD COLUMN target         text,
            ADD COLUMN client_address text,
            ADD COLUMN outcome        text NOT NULL DEFAULT 'ok';

        -- The filters (actor and repository ignoring case, action exactly), each newest first.
        CREATE INDEX secret_audit_by_actor ON secret_audit (lower(actor), id);
        CREATE INDEX secret_audit_by_action ON secret_audit (action, id);
        CREATE INDEX secret_audit_by_repository ON secret_audit (lower(repository), id);

        -- Append-only: nothing changes or removes an entry.
        CREATE FUNCTION cairn_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit log is append-only';
        END;
        $$;
        CREATE TRIGGER secret_audit_append_only BEFORE UPDATE OR DELETE ON secret_audit
            FOR EACH ROW EXECUTE FUNCTION cairn_audit_append_only();
        """);
}
