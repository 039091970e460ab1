using Cairn.Core.Runs;

namespace Cairn.Server.Api;

/// <summary>What a run's view needs besides the store: the server's own workers (to say whether any of them could take
/// a queued job), the clock (to say whether a retry's back-off has passed) and the overview reads (every attempt of the
/// run's jobs in one query).</summary>
internal sealed record RunViewContext(LocalWorkers Workers, TimeProvider Time, IRunOverview Overview);
