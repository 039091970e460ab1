namespace Cairn.Storage.Portable;

/// <summary>A stretch of one job's consecutive log lines as the index of log text keeps it: its first and last sequence
/// numbers and its lines joined with a line feed.</summary>
internal sealed record LogBlock(long JobId, long FirstSequence, long LastSequence, string Text);

/// <summary>Cuts a job's lines into the blocks the index of log text holds. A trigram repeated within a block is indexed
/// once, and build logs repeat themselves, so a block costs the index far less than its lines one by one would; a search
/// finds blocks through the index and then checks their lines one by one.</summary>
internal static class LogBlocks
{
    /// <summary>The most lines a block holds.</summary>
    public const int MaximumLines = 64;

    /// <summary>The most characters of text a block holds, unless its one line is longer.</summary>
    public const int MaximumLength = 8_192;

    /// <summary>The blocks of lines given in order of job then sequence number; a block never spans two jobs or a gap in
    /// the sequence numbers, so a block's range of sequence numbers holds its lines and no others.</summary>
    public static List<LogBlock> Cut(IEnumerable<(long JobId, long Sequence, string Text)> lines)
    {
        var blocks = new List<LogBlock>();
        var text = new System.Text.StringBuilder();
        long job = 0, first = 0, last = 0;
        var count = 0;
        foreach (var (jobId, sequence, line) in lines)
        {
            if (count > 0 && (jobId != job || sequence != last + 1 || count == MaximumLines || text.Length + 1 + line.Length > MaximumLength))
            {
                blocks.Add(new LogBlock(job, first, last, text.ToString()));
                count = 0;
            }

            if (count == 0)
            {
                text.Clear();
                (job, first) = (jobId, sequence);
            }
            else
            {
                text.Append('\n');
            }

            text.Append(line);
            last = sequence;
            count++;
        }

        if (count > 0)
        {
            blocks.Add(new LogBlock(job, first, last, text.ToString()));
        }

        return blocks;
    }
}
