using Cairn.Core.Runs;

namespace Cairn.Server.Api;

/// <summary>What a run's view needs besides the store: the server's own workers (to say whether any of them could take
/// a queued job) and the clock (to say whether a retry's back-off has passed).</summary>
internal sealed record RunViewContext(LocalWorkers Workers, TimeProvider Time);
