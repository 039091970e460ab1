namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema's lease look-ups for workers over HTTP (migration 15).</summary>
internal static class PostgresLeaseMigration
{
    public static Migration Fifteen { get; } = new(15, "leases found by id and by owner; an attempt keeps the lease it ran under", """
        -- A worker over HTTP names its lease by id on every call, and asks again for the lease its owner holds.
        CREATE INDEX jobs_by_lease ON jobs (lease_id) WHERE lease_id IS NOT NULL;
        CREATE INDEX jobs_by_lease_owner ON jobs (lease_owner) WHERE lease_owner IS NOT NULL;
        -- The lease an attempt ran under, so that a call about an ended lease is answered as such (and a completion sent
        -- again after a lost answer is recognised). NULL for attempts from before.
        ALTER TABLE job_attempts ADD COLUMN lease_id uuid;
        CREATE INDEX job_attempts_by_lease ON job_attempts (lease_id) WHERE lease_id IS NOT NULL;
        """);
}
