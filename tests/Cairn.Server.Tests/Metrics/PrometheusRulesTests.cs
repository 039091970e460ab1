using System.Diagnostics;

namespace Cairn.Server.Tests.Metrics;

/// <summary>deploy/prometheus/cairn-rules.yml, checked by Debian's promtool: the rules are valid, and their unit tests
/// (cairn-rules.test.yml) fire and do not fire each alert.</summary>
public sealed class PrometheusRulesTests
{
    public static string RulesFolder
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Cairn.slnx")))
            {
                root = root.Parent;
            }

            return Path.Combine(root?.FullName ?? throw new InvalidOperationException($"no Cairn.slnx above {AppContext.BaseDirectory}"), "deploy", "prometheus");
        }
    }

    [PromtoolFact]
    public async Task The_rules_are_valid()
    {
        var (code, output) = await PromtoolAsync("check", "rules", "cairn-rules.yml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS: 5 rules found", output, StringComparison.Ordinal);
    }

    [PromtoolFact]
    public async Task Each_alert_fires_on_its_trouble_and_stays_quiet_otherwise()
    {
        var (code, output) = await PromtoolAsync("test", "rules", "cairn-rules.test.yml");

        Assert.True(code == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [PromtoolFact]
    public async Task Every_alert_is_tested_firing()
    {
        var rules = await File.ReadAllTextAsync(Path.Combine(RulesFolder, "cairn-rules.yml"), TestContext.Current.CancellationToken);
        var tests = await File.ReadAllTextAsync(Path.Combine(RulesFolder, "cairn-rules.test.yml"), TestContext.Current.CancellationToken);
        var alerts = rules.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("- alert: ", StringComparison.Ordinal)).Select(l => l["- alert: ".Length..]).ToList();

        Assert.Equal(
            ["CairnNoWorkerConnected", "CairnQueueWaitHigh", "CairnStatusOutboxBacklog", "CairnLeaseExpirationsSpiking", "CairnWebhookRejectionsSpiking"],
            alerts);
        Assert.All(alerts, alert => Assert.Contains($"alertname: {alert}", tests, StringComparison.Ordinal));
    }

    private static async Task<(int Code, string Output)> PromtoolAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(PrometheusTools.Promtool!, arguments)
        {
            WorkingDirectory = RulesFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await output + await errors);
    }
}
