using System.Globalization;
using Cairn.Core.Agents;

namespace Cairn.Server.Hosting;

/// <summary>A repository's agents may start while what they spent since the UTC day's start is under the budget; when it
/// is not, they wait for the next UTC day.</summary>
public sealed class DailyAgentBudget(AgentBudgetSettings settings, IAgentSessionStore store, TimeProvider time) : IAgentBudget
{
    public async Task<(string Reason, DateTimeOffset Until)?> RefusalAsync(string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var now = time.GetUtcNow();
        var dayStart = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var spent = await store.GetAgentSpendAsync(repository, dayStart, cancellationToken);
        var next = dayStart.AddDays(1);
        string? over = null;
        if (settings.DailyUsd is { } usd && spent.CostUsd >= usd)
        {
            over = string.Create(CultureInfo.InvariantCulture, $"${spent.CostUsd:0.00} of ${usd:0.00}");
        }
        else if (settings.DailyTokens is { } tokens && spent.Tokens >= tokens)
        {
            over = string.Create(CultureInfo.InvariantCulture, $"{spent.Tokens} of {tokens} tokens");
        }

        return over is null
            ? null
            : ($"the repository's daily agent budget is spent ({over}); it starts again at 00:00 UTC", next);
    }
}
