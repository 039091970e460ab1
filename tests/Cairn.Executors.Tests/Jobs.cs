using System.Globalization;
using Cairn.Core.Execution;
using Cairn.Core.Pipelines.Expressions;

namespace Cairn.Executors.Tests;

/// <summary>Short ways to write the jobs and steps the tests run.</summary>
internal static class Jobs
{
    public static StepSpec Step(
        int index,
        string run,
        string? name = null,
        IReadOnlyDictionary<string, string>? env = null,
        TimeSpan? timeout = null,
        string? condition = null) =>
        new(index, name ?? $"step{index}", run, env ?? new Dictionary<string, string>(), timeout, condition);

    public static JobSpec Job(
        string workspace,
        IReadOnlyList<StepSpec> steps,
        IReadOnlyDictionary<string, string>? env = null,
        TimeSpan? timeout = null,
        string? image = null) =>
        new(1, 1, "build", 1, workspace, image, null, env ?? new Dictionary<string, string>(), steps, timeout, ExpressionContext.Empty);

    public static IReadOnlyList<int> ReadPids(string path) =>
        File.ReadAllLines(path)
            .Where(line => line.Trim().Length > 0)
            .Select(line => int.Parse(line.Trim(), CultureInfo.InvariantCulture))
            .ToList();
}
