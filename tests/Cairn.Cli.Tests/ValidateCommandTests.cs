using System.Globalization;
using System.Text.RegularExpressions;

namespace Cairn.Cli.Tests;

public sealed partial class ValidateCommandTests : IDisposable
{
    private const string ValidPipeline = """
        name: fine
        jobs:
          build:
            steps:
              - run: touch ran-build
          test:
            needs: [build]
            timeout: 5m
            matrix:
              os: [debian, alpine]
              exclude: [{ os: solaris }]
            steps:
              - run: touch ran-test
        """;

    // Four mistakes, each of a different kind, in file order.
    private const string BrokenPipeline = """
        name: broken
        jobs:
          a:
            nedds: [b]
            steps:
              - run: touch ran-a
          b:
            needs: [c]
            steps:
              - run: touch ran-b
          c:
            needs: [b]
            timeout: 10
            steps:
              - run: touch ran-c
          d:
            needs: [ghost]
            steps:
              - run: touch ran-d
        """;

    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Validate_PrintsValid_ForAFileAndForTheCurrentDirectoryByDefault_WithWarningsOnStderr()
    {
        var file = _dir.WriteFile("project/.cairn.yml", ValidPipeline);

        var byFile = await CairnProcess.RunAsync(_dir.Path, "validate", file);
        var byDefault = await CairnProcess.RunAsync(_dir.Combine("project"), "validate");

        foreach (var result in new[] { byFile, byDefault })
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("valid", result.Stdout.Trim());
            var warning = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Matches(@"^[^:]+:11:\d+: warning: .*exclude", warning);
        }
    }

    [Fact]
    public async Task Validate_ReportsEveryError_OnePerLineWithFileLineAndColumn()
    {
        _dir.WriteFile(".cairn.yml", BrokenPipeline);

        var result = await CairnProcess.RunAsync(_dir.Path, "validate", ".");

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("", result.Stdout);
        CairnOutput.AssertClean(result);
        var errors = ParseErrors(result.Stderr);
        Assert.Collection(
            errors,
            e => AssertError(e, 4, 5, "unknown key 'nedds'", "did you mean 'needs'"),
            e => AssertError(e, 8, 13, "dependency cycle", "b -> c -> b"),
            e => AssertError(e, 13, 14, "timeout", "unit"),
            e => AssertError(e, 17, 13, "'ghost'", "not a job"));
        Assert.All(errors, e => Assert.Equal(".cairn.yml", e.File));
    }

    [Fact]
    public async Task Run_RefusesAnInvalidPipeline_WithTheSameErrorsAndRunsNothing()
    {
        _dir.WriteFile(".cairn.yml", BrokenPipeline);

        var result = await CairnProcess.RunAsync(_dir.Path, "run");

        Assert.True(result.ExitCode == 2, result.ToString());
        CairnOutput.AssertClean(result);
        Assert.Equal(4, ParseErrors(result.Stderr).Count);
        Assert.Empty(Directory.GetFiles(_dir.Path, "ran-*"));
        Assert.DoesNotContain("JOB", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-such-dir", "no-such-dir")]
    [InlineData("empty", ".cairn.yml")]
    public async Task Validate_ExplainsAPathWithNoPipeline_WithoutAStackTrace(string path, string mentioned)
    {
        Directory.CreateDirectory(_dir.Combine("empty"));

        var result = await CairnProcess.RunAsync(_dir.Path, "validate", path);

        Assert.True(result.ExitCode == 2, result.ToString());
        CairnOutput.AssertClean(result);
        Assert.Equal("", result.Stdout);
        var message = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", message, StringComparison.Ordinal);
        Assert.Contains(mentioned, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("run")]
    public async Task APipelineFileOverOneMiB_IsRefusedUnread_WithExitTwo(string command)
    {
        var padding = string.Concat(Enumerable.Repeat("# " + new string('x', 98) + "\n", 3 * 1024 * 1024 / 100));
        _dir.WriteFile("big/.cairn.yml", "jobs:\n  build:\n    steps:\n      - run: touch ran-build\n" + padding);

        var result = await CairnProcess.RunAsync(_dir.Combine("big"), command);

        Assert.True(result.ExitCode == 2, result.ToString());
        CairnOutput.AssertClean(result);
        Assert.Equal(".cairn.yml:1:1: error: the file is 3.0 MiB, over the limit of 1 MiB", result.Stderr.Trim());
        Assert.Empty(Directory.GetFiles(_dir.Combine("big"), "ran-*"));
    }

    public void Dispose() => _dir.Dispose();

    private static List<ValidationError> ParseErrors(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Select(line =>
        {
            var match = ErrorLine().Match(line);
            Assert.True(match.Success, $"'{line}' is not FILE:LINE:COL: error: message");
            return new ValidationError(
                match.Groups["file"].Value,
                int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture),
                int.Parse(match.Groups["col"].Value, CultureInfo.InvariantCulture),
                match.Groups["message"].Value);
        }).ToList();
    }

    private static void AssertError(ValidationError error, int line, int column, params string[] fragments)
    {
        Assert.True(error.Line == line && error.Column == column, $"expected {line}:{column}, got {error}");
        Assert.All(fragments, f => Assert.Contains(f, error.Message, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"^(?<file>[^:]+):(?<line>\d+):(?<col>\d+): error: (?<message>.+)$")]
    private static partial Regex ErrorLine();

    private sealed record ValidationError(string File, int Line, int Column, string Message);
}
