using System.Globalization;
using Cairn.Core.Agents;

namespace Cairn.Server.Hosting;

/// <summary>The daily agent budget of each repository (off unless set): US dollars of the CLIs' own estimates, and/or
/// tokens, spent since the UTC day's start.</summary>
public sealed record AgentBudgetSettings(decimal? DailyUsd, long? DailyTokens)
{
    public static AgentBudgetSettings None { get; } = new(null, null);

    public bool IsSet => DailyUsd is not null || DailyTokens is not null;

    /// <summary>The settings' keys (in the Cairn section), variables and options, in the form of ServerSettings.Names.</summary>
    public static IReadOnlyList<(string Key, string Variable, string Option)> Names { get; } =
    [
        ("AgentDailyBudgetUsd", "CAIRN_AGENT_DAILY_BUDGET_USD", "--agent-daily-budget-usd"),
        ("AgentDailyTokens", "CAIRN_AGENT_DAILY_TOKENS", "--agent-daily-tokens"),
    ];

    internal static AgentBudgetSettings Bind(Func<string, string?> get, Action<string, string> fail)
    {
        decimal? usd = null;
        if (get("AgentDailyBudgetUsd") is { } usdText)
        {
            if (decimal.TryParse(usdText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
            {
                usd = parsed;
            }
            else
            {
                fail("AgentDailyBudgetUsd", $"'{usdText}' is not an amount of US dollars above 0 (10.50)");
            }
        }

        long? tokens = null;
        if (get("AgentDailyTokens") is { } tokensText)
        {
            if (long.TryParse(tokensText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
            {
                tokens = parsed;
            }
            else
            {
                fail("AgentDailyTokens", $"'{tokensText}' is not a number of tokens above 0");
            }
        }

        return new AgentBudgetSettings(usd, tokens);
    }
}
