using System.Globalization;
using Cairn.Core.Logs;
using Cairn.Core.Runs;

namespace Cairn.Bench.LogIndex;

/// <summary>Build-log-like lines, the same for every store: compiler and test chatter with numbers and paths that vary,
/// a warning in one line of 20, and <c>connection refused</c> in one line of 50,000.</summary>
internal sealed class Workload(int lines, int linesPerJob)
{
    public const int Batch = 500;

    public const string Rare = "connection refused";

    public const string Common = "warning CS";

    public const string Absent = "segmentation fault";

    private static readonly string[] Shapes =
    [
        "  Restored /src/Project{0}/Project{0}.csproj (in {1} ms).",
        "  Project{0} -> /src/Project{0}/bin/Release/net10.0/Project{0}.dll",
        "[xUnit.net 00:00:{2:00}.{1:000}]     Project{0}.Tests.Feature{1}_Behaves_WhenAsked [PASS]",
        "##[group]Run dotnet test tests/Project{0}.Tests -c Release --no-build (attempt {2})",
        "    at Project{0}.Service.HandleAsync(Request request, CancellationToken token) in /src/Project{0}/Service.cs:line {1}",
        "Downloading https://registry.example.org/v2/library/image{0}/blobs/sha256:{3:x16} ({1} kB)",
    ];

    public int Lines => lines;

    public int Jobs => (lines + linesPerJob - 1) / linesPerJob;

    public long TextBytes { get; private set; }

    public static string Line(int i)
    {
        if (i % 50_000 == 25_000)
        {
            return $"Npgsql.NpgsqlException: Failed to connect to 10.0.{i % 250}.7:5432 ---> System.Net.Sockets.SocketException (111): Connection refused";
        }

        if (i % 20 == 7)
        {
            return $"/src/Project{i % 37}/Widget.cs({i % 400},{i % 80}): warning CS{8600 + (i % 30)}: Converting null literal or possible null value to non-nullable type.";
        }

        var shape = Shapes[(int)((uint)(i * 2_654_435_761L) % Shapes.Length)];
        return string.Format(CultureInfo.InvariantCulture, shape, i % 37, i % 997, i % 60, (ulong)i * 0x9E3779B97F4A7C15UL);
    }

    /// <summary>The lines of a job, in batches as the job reporter writes them.</summary>
    public IEnumerable<List<StoredLogLine>> BatchesOfJob(int job, DateTimeOffset at)
    {
        var first = job * linesPerJob;
        var count = Math.Min(linesPerJob, lines - first);
        var batch = new List<StoredLogLine>(Batch);
        for (var n = 0; n < count; n++)
        {
            var text = Line(first + n);
            TextBytes += System.Text.Encoding.UTF8.GetByteCount(text);
            batch.Add(new StoredLogLine(n + 1, 0, LogStream.Stdout, at, text));
            if (batch.Count == Batch)
            {
                yield return batch;
                batch = new List<StoredLogLine>(Batch);
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
