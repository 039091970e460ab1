namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema's workers (migration 14): the identities an administrator made for machines that run
/// jobs over HTTP.</summary>
internal static class PostgresWorkerMigration
{
    public static Migration Fourteen { get; } = new(14, "workers: identities of machines that run jobs over HTTP, each with its token's hash", """
        -- A name is unique ignoring case: name_key is its lower-case form. labels: a JSON array of the labels the worker
        -- may offer. The token is kept as its id (public) and the SHA-256 of its secret only. last_seen_at, version and
        -- address: what the server heard on the worker's last call.
        CREATE TABLE workers (
            id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            name         text    NOT NULL,
            name_key     text    NOT NULL UNIQUE,
            labels       text    NOT NULL DEFAULT '[]',
            token_id     text    NOT NULL UNIQUE,
            token_hash   bytea   NOT NULL,
            paused       boolean NOT NULL DEFAULT false,
            created_at   bigint  NOT NULL,
            created_by   text,
            last_seen_at bigint,
            version      text,
            address      text
        );
        """);
}
