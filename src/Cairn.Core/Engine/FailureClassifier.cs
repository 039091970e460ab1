using System.Globalization;
using System.Text.RegularExpressions;
using Cairn.Core.Runs;

namespace Cairn.Core.Engine;

/// <summary>What the end of a failed step's log says it was: a failed test run, a failed build, or lint problems.</summary>
public sealed record FailureClassification(FailureClass Class, string Detail);

/// <summary>Reads the tail of a <c>script</c> failure's log for the well-known summaries of test runners, compilers and
/// linters. It names a class only where the evidence is clear; anything else stays <c>script</c> (null here).</summary>
public static partial class FailureClassifier
{
    private delegate FailureClassification? Rule(IReadOnlyList<string> lines);

    // Test summaries first: a test run that failed is a test failure even if a compiler warned on the way. Linters
    // before compilers, because some linters print compiler-shaped lines (shellcheck's gcc format, golangci-lint).
    private static readonly Rule[] Rules =
    [
        DotnetTest, Pytest, GoTest, CargoTest, JestOrVitest, JUnit, GradleTest, PassedFailed,
        Eslint, Ruff, Flake8, ShellCheck, Hadolint, GolangciLint,
        CSharp, TypeScript, Rustc, Javac, MsBuild, GoBuild, GccOrClang,
    ];

    /// <summary>The class and a one-line detail for a failed step's last lines (oldest first), or null when unclear.</summary>
    public static FailureClassification? Classify(IEnumerable<string> tail)
    {
        ArgumentNullException.ThrowIfNull(tail);
        var lines = tail.Select(l => AnsiEscape().Replace(l, "")).ToList();
        foreach (var rule in Rules)
        {
            if (rule(lines) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static FailureClassification? DotnetTest(IReadOnlyList<string> lines) =>
        LastCount(lines, DotnetFailed()) is { } n ? Tests(n, "dotnet test")
        : LastCount(lines, DotnetSummary()) is { } m ? Tests(m, "dotnet test")
        : null;

    private static FailureClassification? Pytest(IReadOnlyList<string> lines) =>
        LastCount(lines, PytestSummary()) is { } n ? Tests(n, "pytest") : null;

    private static FailureClassification? GoTest(IReadOnlyList<string> lines)
    {
        var failedTests = lines.Count(l => l.TrimStart().StartsWith("--- FAIL: ", StringComparison.Ordinal));
        if (failedTests > 0)
        {
            return Tests(failedTests, "go test");
        }

        // "FAIL\tpkg [build failed]" is a compile error, which the build rules name.
        var failedPackages = lines.Count(l => l.StartsWith("FAIL\t", StringComparison.Ordinal) && !l.EndsWith("failed]", StringComparison.Ordinal));
        return failedPackages > 0
            ? new FailureClassification(FailureClass.Test, $"{Plural(failedPackages, "package")} failed (go test)")
            : null;
    }

    private static FailureClassification? CargoTest(IReadOnlyList<string> lines) =>
        LastCount(lines, CargoSummary()) is { } n ? Tests(n, "cargo test") : null;

    private static FailureClassification? JestOrVitest(IReadOnlyList<string> lines)
    {
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            var match = JestSummary().Match(lines[i]);
            if (match.Success && Number(match) is > 0 and var n)
            {
                return Tests(n, match.Groups["colon"].Success ? "jest" : "vitest");
            }
        }

        return null;
    }

    private static FailureClassification? JUnit(IReadOnlyList<string> lines)
    {
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            var match = JUnitSummary().Match(lines[i]);
            if (match.Success)
            {
                var failed = Number(match, "failures") + Number(match, "errors");
                if (failed > 0)
                {
                    return Tests(failed, "JUnit");
                }
            }
        }

        return null;
    }

    private static FailureClassification? GradleTest(IReadOnlyList<string> lines) =>
        LastCount(lines, GradleSummary()) is { } n ? Tests(n, "Gradle") : null;

    private static FailureClassification? PassedFailed(IReadOnlyList<string> lines) =>
        LastCount(lines, PassedThenFailed()) is { } n ? Tests(n, "test run") : null;

    private static FailureClassification? Eslint(IReadOnlyList<string> lines) =>
        LastCount(lines, EslintSummary()) is { } n ? Lint(Plural(n, "problem"), "eslint") : null;

    private static FailureClassification? Ruff(IReadOnlyList<string> lines) =>
        LastCount(lines, RuffSummary()) is { } n ? Lint(Plural(n, "problem"), "ruff") : null;

    private static FailureClassification? Flake8(IReadOnlyList<string> lines) =>
        CountOf(lines, Flake8Line()) is > 0 and var n ? Lint(Plural(n, "problem"), "flake8") : null;

    private static FailureClassification? ShellCheck(IReadOnlyList<string> lines) =>
        CountOf(lines, ShellCheckCode()) is > 0 and var n ? Lint(Plural(n, "problem"), "shellcheck") : null;

    private static FailureClassification? Hadolint(IReadOnlyList<string> lines) =>
        CountOf(lines, HadolintLine()) is > 0 and var n ? Lint(Plural(n, "problem"), "hadolint") : null;

    private static FailureClassification? GolangciLint(IReadOnlyList<string> lines) =>
        CountOf(lines, GolangciLine()) is > 0 and var n ? Lint(Plural(n, "issue"), "golangci-lint") : null;

    private static FailureClassification? CSharp(IReadOnlyList<string> lines) => FirstError(lines, CSharpError(), "C# compiler");

    private static FailureClassification? TypeScript(IReadOnlyList<string> lines) => FirstError(lines, TypeScriptError(), "tsc");

    private static FailureClassification? Rustc(IReadOnlyList<string> lines) => FirstError(lines, RustError(), "rustc");

    private static FailureClassification? Javac(IReadOnlyList<string> lines) => FirstError(lines, JavacError(), "javac");

    private static FailureClassification? MsBuild(IReadOnlyList<string> lines) =>
        lines.Any(l => l.Trim() == "Build FAILED.") ? new FailureClassification(FailureClass.Build, "Build FAILED (MSBuild)") : null;

    private static FailureClassification? GoBuild(IReadOnlyList<string> lines) => FirstError(lines, GoError(), "go build");

    private static FailureClassification? GccOrClang(IReadOnlyList<string> lines) => FirstError(lines, GccError(), "C/C++ compiler");

    /// <summary>"error CS0103 (C# compiler)", with how many more errors there were.</summary>
    private static FailureClassification? FirstError(IReadOnlyList<string> lines, Regex pattern, string tool)
    {
        var matches = lines.Select(l => pattern.Match(l)).Where(m => m.Success).ToList();
        if (matches.Count == 0)
        {
            return null;
        }

        var first = matches[0].Groups["what"].Value.Trim();
        if (first.Length > 100)
        {
            first = string.Concat(first.AsSpan(0, 97), "...");
        }

        var more = matches.Count > 1 ? $" and {matches.Count - 1} more" : "";
        return new FailureClassification(FailureClass.Build, $"{first}{more} ({tool})");
    }

    /// <summary>The number in the last line the pattern matches, when it is above zero.</summary>
    private static int? LastCount(IReadOnlyList<string> lines, Regex pattern)
    {
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            var match = pattern.Match(lines[i]);
            if (match.Success)
            {
                return Number(match) is > 0 and var n ? n : null;
            }
        }

        return null;
    }

    private static int CountOf(IReadOnlyList<string> lines, Regex pattern) => lines.Count(pattern.IsMatch);

    private static int Number(Match match, string group = "n") =>
        match.Groups[group].Success && int.TryParse(match.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static FailureClassification Tests(int failed, string tool) =>
        new(FailureClass.Test, $"{Plural(failed, "test")} failed ({tool})");

    private static FailureClassification Lint(string what, string tool) => new(FailureClass.Lint, $"{what} ({tool})");

    private static string Plural(int n, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? "" : "s")}");

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"Failed!\s+-\s+Failed:\s+(?<n>\d+)")]
    private static partial Regex DotnetFailed();

    [GeneratedRegex(@"^\s*Test summary: total: \d+, failed: (?<n>\d+)")]
    private static partial Regex DotnetSummary();

    [GeneratedRegex(@"^=*\s*(?<n>\d+) failed(, \d+ [a-z]+)* in [\d.]+s")]
    private static partial Regex PytestSummary();

    [GeneratedRegex(@"^test result: FAILED\. \d+ passed; (?<n>\d+) failed")]
    private static partial Regex CargoSummary();

    [GeneratedRegex(@"^\s*Tests(?<colon>:)?\s+(?<n>\d+) failed")]
    private static partial Regex JestSummary();

    [GeneratedRegex(@"Tests run: \d+, Failures: (?<failures>\d+), Errors: (?<errors>\d+)")]
    private static partial Regex JUnitSummary();

    [GeneratedRegex(@"^\d+ tests completed, (?<n>\d+) failed")]
    private static partial Regex GradleSummary();

    [GeneratedRegex(@"\b\d+ passed, (?<n>\d+) failed\b")]
    private static partial Regex PassedThenFailed();

    [GeneratedRegex(@"✖ (?<n>\d+) problems? \(")]
    private static partial Regex EslintSummary();

    [GeneratedRegex(@"^Found (?<n>\d+) errors?\.")]
    private static partial Regex RuffSummary();

    [GeneratedRegex(@"^\S+\.py:\d+:\d+: [A-Z]+\d{3,4} ")]
    private static partial Regex Flake8Line();

    [GeneratedRegex(@"(\^-- |\[)SC\d{4}\b")]
    private static partial Regex ShellCheckCode();

    [GeneratedRegex(@"^\S*Dockerfile\S*:\d+ DL\d{4} ")]
    private static partial Regex HadolintLine();

    [GeneratedRegex(@"^\S+\.go:\d+:\d+: .* \((errcheck|govet|staticcheck|unused|gosimple|ineffassign|revive|gofmt|goimports|gocritic|gosec|misspell|stylecheck|typecheck|unparam|dupl|goconst|gocyclo|lll|nakedret|prealloc|whitespace|wsl|nolintlint|bodyclose|noctx|errorlint|exhaustive|godot|funlen)\)$")]
    private static partial Regex GolangciLine();

    [GeneratedRegex(@"(?<what>error CS\d{4})\b")]
    private static partial Regex CSharpError();

    [GeneratedRegex(@"(?<what>error TS\d{4,5})\b")]
    private static partial Regex TypeScriptError();

    [GeneratedRegex(@"^(?<what>error\[E\d{4}\])")]
    private static partial Regex RustError();

    [GeneratedRegex(@"^(?<what>\S+\.java:\d+: error: .*)$")]
    private static partial Regex JavacError();

    [GeneratedRegex(@"^(?<what>(\./)?\S+\.go:\d+:\d+: .*)$")]
    private static partial Regex GoError();

    [GeneratedRegex(@"^(?<what>\S+:\d+:\d+: (fatal )?error: .*)$")]
    private static partial Regex GccError();
}
