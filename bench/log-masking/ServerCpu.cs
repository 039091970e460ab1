using System.Globalization;
using Npgsql;

namespace Cairn.Bench.LogMasking;

/// <summary>The CPU time of the PostgreSQL backends serving the bench's database, read from /proc (the server runs on
/// this host): what the server spends on a phase, which the benchmark's own CPU time leaves out. Backends that end within
/// a phase are read just before they end where the phase can (the bare COPY), otherwise missed.</summary>
internal static class ServerCpu
{
    private static readonly double TicksPerSecond = 100;

    /// <summary>Each backend of the bench's database and its CPU time so far, in clock ticks.</summary>
    public static Dictionary<int, long> Take(string server, string database)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = @database", connection);
        command.Parameters.AddWithValue("@database", database);
        var ticks = new Dictionary<int, long>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var pid = reader.GetInt32(0);
            if (Ticks(pid) is { } used)
            {
                ticks[pid] = used;
            }
        }

        return ticks;
    }

    /// <summary>The seconds of CPU the backends spent between two readings; a backend new in the second counts whole.</summary>
    public static double Between(Dictionary<int, long> before, Dictionary<int, long> after) =>
        after.Sum(backend => backend.Value - before.GetValueOrDefault(backend.Key)) / TicksPerSecond;

    /// <summary>utime + stime of a process, in clock ticks; null when it is gone or unreadable.</summary>
    public static long? Ticks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
