using System.Globalization;
using Cairn.Cli.Commands.Client;

namespace Cairn.Cli.Output;

/// <summary>How <c>cairn artifacts</c> shows what a run's jobs kept.</summary>
internal static class ArtifactViews
{
    /// <summary>One row a job: JOB, FILES, SIZE, EXPIRES.</summary>
    public static string Jobs(IReadOnlyList<JobArtifactsView> jobs, DateTimeOffset now, bool color)
    {
        var table = new TextTable("JOB", "FILES", "SIZE", "EXPIRES");
        foreach (var job in jobs)
        {
            table.Add(null, job.Job, job.FileCount.ToString(CultureInfo.InvariantCulture), Size(job.Bytes), Expires(job.ExpiresAt, now));
        }

        return table.Render(color);
    }

    /// <summary>A job's files, PATH and SIZE, with a last line when the server listed only the first of them.</summary>
    public static string Files(JobArtifactsView job, long run, bool color)
    {
        var table = new TextTable("PATH", "SIZE");
        foreach (var file in job.Files)
        {
            table.Add(null, file.Path, Size(file.Size));
        }

        var text = table.Render(color);
        return job.Truncated
            ? text + $"\n… and {job.FileCount - job.Files.Count} more (cairn artifacts download {run} --job {job.Job} gets them all)"
            : text;
    }

    /// <summary><c>812 B</c>, <c>1.5 KiB</c>, <c>3.2 MiB</c>, <c>1.0 GiB</c>.</summary>
    public static string Size(long bytes)
    {
        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        var value = (double)bytes;
        var unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    /// <summary><c>in 14d</c>, <c>in 3h</c>, <c>in 5m</c>, or <c>expired</c>: to the nearest unit, so what was kept for 14
    /// days a minute ago still reads 14d.</summary>
    public static string Expires(DateTimeOffset at, DateTimeOffset now)
    {
        var left = at - now;
        return left.TotalSeconds switch
        {
            <= 0 => "expired",
            < 3600 => $"in {Math.Max(1, (int)Math.Round(left.TotalMinutes))}m",
            < 86400 => $"in {(int)Math.Round(left.TotalHours)}h",
            _ => $"in {(int)Math.Round(left.TotalDays)}d",
        };
    }
}
