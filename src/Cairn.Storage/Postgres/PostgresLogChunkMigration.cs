namespace Cairn.Storage.Postgres;

/// <summary>The PostgreSQL schema's log kept in chunks of consecutive lines, indexed from a queue (migration 27).</summary>
internal static class PostgresLogChunkMigration
{
    public static Migration TwentySeven { get; } = new(27, "a job's log is kept in chunks of up to 64 consecutive lines, indexed from a queue", """
        -- A row per line cost the server a heap row, a key and a foreign-key check per line, and the index's blocks were
        -- cut into trigrams in the append's own statement: the log reached the store at a tenth of a bare COPY. A chunk
        -- holds a run of a job's consecutive lines (up to 64, about 8 KB, never a gap), first_seq to last_seq, as four
        -- parallel arrays; line n of a chunk (from 1) is sequence number first_seq + n - 1.
        CREATE TABLE log_chunks (
            job_id    bigint   NOT NULL REFERENCES jobs (id),
            first_seq bigint   NOT NULL,
            last_seq  bigint   NOT NULL,
            steps     int[]    NOT NULL,
            streams   text[]   NOT NULL,
            stamps    bigint[] NOT NULL,
            lines     text[]   NOT NULL,
            PRIMARY KEY (job_id, first_seq),
            CHECK (last_seq >= first_seq AND last_seq - first_seq < 64 AND cardinality(lines) = last_seq - first_seq + 1)
        );

        -- Chunks are larger than a page's share, so their text is compressed: with lz4 where the server has it, which took
        -- half the server's time of an append that pglz took (its default), for a little more room on disk.
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
                EXECUTE 'ALTER TABLE log_chunks ALTER COLUMN lines SET COMPRESSION lz4';
            END IF;
        END
        $$;

        -- The lines there are: each run of consecutive sequence numbers (its island: seq less its row number) cut at
        -- multiples of 64. They are in log_blocks already.
        INSERT INTO log_chunks (job_id, first_seq, last_seq, steps, streams, stamps, lines)
        SELECT job_id, min(seq), max(seq), array_agg(step_idx ORDER BY seq), array_agg(stream ORDER BY seq),
               array_agg(ts ORDER BY seq), array_agg(text ORDER BY seq)
        FROM (SELECT l.*, l.seq - row_number() OVER (PARTITION BY l.job_id ORDER BY l.seq) AS island FROM log_lines AS l) AS l
        GROUP BY job_id, island, (seq - 1) / 64;

        DROP TABLE log_lines;

        -- Chunks wait here until a background pass (or a search, first) writes them to log_blocks, whose trigram index
        -- costs the server several times what storing the lines does: an append no longer waits for it.
        CREATE TABLE log_unindexed_chunks (
            job_id    bigint NOT NULL,
            first_seq bigint NOT NULL,
            PRIMARY KEY (job_id, first_seq)
        );

        -- A line is stored once, as a row per line was by its key: a chunk whose lines another already holds is refused
        -- with the same error. Only the chunk before it can overlap it (none holds more than 64 lines); appends to one job
        -- take turns here so that two of them cannot both pass the look.
        CREATE FUNCTION cairn_log_chunks_overlap() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock(7305824, (NEW.job_id % 2147483647)::int);
            IF EXISTS (SELECT 1 FROM log_chunks
                       WHERE job_id = NEW.job_id AND first_seq <= NEW.last_seq AND first_seq > NEW.first_seq - 64
                         AND last_seq >= NEW.first_seq) THEN
                RAISE unique_violation USING MESSAGE = format(
                    'duplicate key value violates unique constraint "log_chunks_seq": lines %s to %s of job %s are stored',
                    NEW.first_seq, NEW.last_seq, NEW.job_id);
            END IF;
            RETURN NEW;
        END;
        $$;

        CREATE TRIGGER log_chunks_overlap BEFORE INSERT ON log_chunks FOR EACH ROW EXECUTE FUNCTION cairn_log_chunks_overlap();

        -- A line a row, as the table was, for reading by hand; the store reads the chunks.
        CREATE VIEW log_lines AS
        SELECT c.job_id, c.first_seq + l.n - 1 AS seq, l.step_idx, l.stream, l.ts, l.text
        FROM log_chunks AS c, unnest(c.steps, c.streams, c.stamps, c.lines) WITH ORDINALITY AS l (step_idx, stream, ts, text, n);
        """);
}
