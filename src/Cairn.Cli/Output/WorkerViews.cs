using Cairn.Cli.Commands.Client;

namespace Cairn.Cli.Output;

/// <summary>How <c>cairn workers</c> shows the worker registry on a terminal.</summary>
internal static class WorkerViews
{
    public static string Workers(IReadOnlyList<WorkerView> workers, DateTimeOffset now, bool color)
    {
        var table = new TextTable("NAME", "LABELS", "STATE", "RUNNING", "VERSION");
        foreach (var worker in workers)
        {
            table.Add(
                worker.Paused ? "33" : worker.Connected ? "32" : "2",
                worker.Name,
                worker.Labels.Count == 0 ? "-" : string.Join(',', worker.Labels),
                State(worker, now),
                worker.RunningJobs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                worker.Version ?? "-");
        }

        return table.Render(color);
    }

    /// <summary>connected, last seen 5m ago or never; then paused when it is.</summary>
    public static string State(WorkerView worker, DateTimeOffset now)
    {
        var seen = worker.Connected ? "connected"
            : worker.LastSeenAt is { } at ? "last seen " + ServerViews.Age(at, now)
            : "never";
        return worker.Paused ? seen + "; paused" : seen;
    }

    /// <summary>What to do with a new worker's token, in one line.</summary>
    public static string Advice(Uri server) =>
        $"save it to a file only the worker's user can read, and on the build machine run: cairn worker --server {server.AbsoluteUri.TrimEnd('/')} --token-file FILE";
}
