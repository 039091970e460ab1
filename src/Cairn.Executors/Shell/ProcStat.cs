using System.Globalization;

namespace Cairn.Executors.Shell;

/// <summary>What <c>/proc/PID/stat</c> says of a process: its state, process group and start time (clock ticks since
/// boot, which tells a reused pid from the process that had it before).</summary>
internal readonly record struct ProcStat(char State, int GroupId, long StartTime)
{
    /// <summary>Neither a zombie nor dead: it can still do something.</summary>
    public bool IsLive => State is not ('Z' or 'X');

    public static ProcStat? Read(int pid) => Read(Path.Combine("/proc", pid.ToString(CultureInfo.InvariantCulture)));

    public static ProcStat? Read(string processDirectory)
    {
        string text;
        try
        {
            text = File.ReadAllText(Path.Combine(processDirectory, "stat"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
        // priority nice threads itrealvalue starttime ..."; comm may hold spaces and parentheses, so parse after the
        // last ')'. Counted from the state, pgrp is the 3rd field and starttime the 20th.
        var fields = text.AsSpan(text.LastIndexOf(')') + 1).Trim();
        Span<Range> parts = stackalloc Range[21];
        if (fields.Split(parts, ' ') < 20 || fields[parts[0]].Length != 1)
        {
            return null;
        }

        return int.TryParse(fields[parts[2]], NumberStyles.Integer, CultureInfo.InvariantCulture, out var group)
            && long.TryParse(fields[parts[19]], NumberStyles.Integer, CultureInfo.InvariantCulture, out var start)
            ? new ProcStat(fields[parts[0]][0], group, start)
            : null;
    }
}
