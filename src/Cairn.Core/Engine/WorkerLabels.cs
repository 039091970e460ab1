namespace Cairn.Core.Engine;

/// <summary>Labels Cairn itself gives out.</summary>
public static class WorkerLabels
{
    /// <summary>The label of jobs that run only on workers holding the store: agent and publish jobs. The server's own
    /// workers and <c>cairn run</c>'s offer it; the HTTP worker protocol never leases a job that carries it.</summary>
    public const string Server = "cairn/server";

    /// <summary>What a server's own workers offer: their configured labels and <see cref="Server"/>.</summary>
    public static IReadOnlyCollection<string> OfServer(IEnumerable<string> configured) =>
        [.. configured.Where(l => l != Server), Server];

    /// <summary>What a worker over HTTP may be offered: anything but <see cref="Server"/>.</summary>
    public static string[] Remote(IEnumerable<string> offered) => [.. offered.Where(l => l != Server)];
}
