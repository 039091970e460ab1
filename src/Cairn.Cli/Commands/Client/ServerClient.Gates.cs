using System.Net.Http.Json;

namespace Cairn.Cli.Commands.Client;

/// <summary>Approval gates: approving or rejecting an approval job that waits for people.</summary>
internal sealed partial class ServerClient
{
    /// <summary>Approves (<paramref name="approve"/>) or rejects the gate of a run's approval job.</summary>
    public Task<Answer<GateDecisionView>> DecideGateAsync(
        long runId, long jobId, bool approve, GateDecisionRequest request, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Post,
            $"{RunPath(runId)}/jobs/{jobId.ToString(System.Globalization.CultureInfo.InvariantCulture)}/{(approve ? "approve" : "reject")}",
            JsonContent.Create(request, Json.GateDecisionRequest),
            Json.GateDecisionView,
            null,
            cancellationToken);
}
