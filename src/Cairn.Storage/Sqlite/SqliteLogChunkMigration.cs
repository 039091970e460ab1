namespace Cairn.Storage.Sqlite;

/// <summary>The SQLite schema's log kept in chunks of consecutive lines (migration 24).</summary>
internal static class SqliteLogChunkMigration
{
    public static Migration TwentyFour { get; } = new(24, "a job's log is kept in chunks of up to 64 consecutive lines", """
        -- A row per line cost SQLite a B-tree insert, a queue row for the index and a statement per line: the log reached
        -- the store at a fraction of what the disk takes. A chunk holds a run of a job's consecutive lines (up to 64, about
        -- 8 KB, never a gap), first_seq to last_seq, as a JSON array of [step_idx, stream, ts, text], the line of first_seq
        -- first. The store writes and reads chunks whole; search, the index queue and the log_lines view read their lines
        -- with json_each, where line n of a chunk is sequence number first_seq + n.
        CREATE TABLE log_chunks (
            job_id    INTEGER NOT NULL REFERENCES jobs (id),
            first_seq INTEGER NOT NULL,
            last_seq  INTEGER NOT NULL,
            lines     TEXT    NOT NULL,
            PRIMARY KEY (job_id, first_seq),
            CHECK (last_seq >= first_seq AND last_seq - first_seq < 64)
        );

        -- The lines there are: each run of consecutive sequence numbers (its island: seq less its row number) cut at
        -- multiples of 64, and never a line the index has taken beside one that still waits for it.
        INSERT INTO log_chunks (job_id, first_seq, last_seq, lines)
        SELECT job_id, min(seq), max(seq), json_group_array(json_array(step_idx, stream, ts, text) ORDER BY seq)
        FROM (
            SELECT l.job_id, l.seq, l.step_idx, l.stream, l.ts, l.text, u.seq IS NOT NULL AS waiting,
                   l.seq - row_number() OVER (PARTITION BY l.job_id, u.seq IS NOT NULL ORDER BY l.seq) AS island
            FROM log_lines AS l LEFT JOIN log_unindexed AS u ON u.job_id = l.job_id AND u.seq = l.seq)
        GROUP BY job_id, waiting, island, (seq - 1) / 64;

        -- Chunks wait here to be indexed (cut into the index's own blocks of 64 lines, across chunks); a chunk waits when
        -- its lines did.
        CREATE TABLE log_unindexed_chunks (
            job_id    INTEGER NOT NULL,
            first_seq INTEGER NOT NULL,
            PRIMARY KEY (job_id, first_seq)
        ) WITHOUT ROWID;

        INSERT INTO log_unindexed_chunks (job_id, first_seq)
        SELECT c.job_id, c.first_seq FROM log_chunks AS c JOIN log_unindexed AS u ON u.job_id = c.job_id AND u.seq = c.first_seq;

        DROP TRIGGER log_lines_queued;
        DROP TRIGGER log_lines_removed;
        DROP TABLE log_unindexed;
        DROP TABLE log_lines;

        -- A line is stored once, as a row per line was by its key: a chunk whose lines another already holds is refused with
        -- the same error. The chunk before it is the only one that can overlap it (none holds more than 64 lines).
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

        -- A line a row, as the table was, for reading by hand; the store reads the chunks.
        CREATE VIEW log_lines AS
        SELECT c.job_id AS job_id, c.first_seq + l.key AS seq, l.value ->> 0 AS step_idx, l.value ->> 1 AS stream,
               l.value ->> 2 AS ts, l.value ->> 3 AS text
        FROM log_chunks AS c, json_each(c.lines) AS l;
        """);
}
