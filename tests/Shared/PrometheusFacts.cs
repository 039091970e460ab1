using System.Runtime.CompilerServices;

namespace Cairn.Testing;

/// <summary>Debian's Prometheus package (<c>apt-get install prometheus</c>): its <c>promtool</c> and <c>prometheus</c>,
/// found on PATH or named by CAIRN_TEST_PROMTOOL and CAIRN_TEST_PROMETHEUS.</summary>
public static class PrometheusTools
{
    public static string? Promtool => Find("CAIRN_TEST_PROMTOOL", "promtool");

    public static string? Prometheus => Find("CAIRN_TEST_PROMETHEUS", "prometheus");

    private static string? Find(string variable, string name) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } named
            ? named
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(folder => Path.Combine(folder, name))
                .FirstOrDefault(File.Exists);
}

/// <summary>A fact that needs promtool (CAIRN_TEST_PROMTOOL, or promtool on PATH).</summary>
public sealed class PromtoolFactAttribute : FactAttribute
{
    public PromtoolFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (PrometheusTools.Promtool is null)
        {
            Skip = "needs promtool: apt-get install prometheus (Debian's package), or set CAIRN_TEST_PROMTOOL";
        }
    }
}

/// <summary>A fact that needs the Prometheus server (CAIRN_TEST_PROMETHEUS, or prometheus on PATH).</summary>
public sealed class PrometheusFactAttribute : FactAttribute
{
    public PrometheusFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (PrometheusTools.Prometheus is null)
        {
            Skip = "needs Prometheus: apt-get install prometheus (Debian's package), or set CAIRN_TEST_PROMETHEUS";
        }
    }
}
