using Cairn.Core.Runs;
using Cairn.Core.Workers;

namespace Cairn.Workers;

/// <summary>Which leases still live, asked of the server (<see cref="WorkerPaths.LiveLeases"/>), in requests of at most
/// <see cref="LiveLeasesRequest.MaxLeases"/> ids each.</summary>
public sealed class RemoteLeaseLiveness(WorkerConnection connection) : ILeaseLiveness
{
    /// <summary>How long one request is retried while the server is away before the failure is thrown.</summary>
    private static readonly TimeSpan GiveUp = TimeSpan.FromMinutes(1);

    public async Task<IReadOnlySet<Guid>> LiveAsync(IReadOnlyCollection<Guid> leaseIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leaseIds);
        var live = new HashSet<Guid>();
        foreach (var chunk in leaseIds.Distinct().Chunk(LiveLeasesRequest.MaxLeases))
        {
            var (_, answer) = await connection.CallAsync(
                "lease liveness",
                HttpMethod.Post,
                WorkerPaths.LiveLeases,
                WorkerConnection.Json(new LiveLeasesRequest(chunk), WorkerProtocolJson.Default.LiveLeasesRequest),
                WorkerProtocolJson.Default.LiveLeasesAnswer,
                TimeSpan.Zero,
                GiveUp,
                cancellationToken);
            live.UnionWith(answer?.Live ?? []);
        }

        return live;
    }
}
