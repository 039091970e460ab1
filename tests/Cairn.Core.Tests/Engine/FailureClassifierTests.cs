using Cairn.Core.Engine;
using Cairn.Core.Runs;

namespace Cairn.Core.Tests.Engine;

public sealed class FailureClassifierTests
{
    [Theory]
    [InlineData("Failed!  - Failed:     3, Passed:    41, Skipped:     0, Total:    44, Duration: 4 s - App.Tests.dll (net10.0)", "3 tests failed (dotnet test)")]
    [InlineData("Test summary: total: 12, failed: 1, succeeded: 11, skipped: 0, duration: 2.1s", "1 test failed (dotnet test)")]
    [InlineData("=========== 2 failed, 17 passed, 1 skipped in 0.42s ===========", "2 tests failed (pytest)")]
    [InlineData("--- FAIL: TestParse (0.00s)\n--- FAIL: TestLoad (0.01s)\nFAIL\nFAIL\texample.com/app\t0.012s", "2 tests failed (go test)")]
    [InlineData("test result: FAILED. 8 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out", "2 tests failed (cargo test)")]
    [InlineData("Tests:       4 failed, 30 passed, 34 total", "4 tests failed (jest)")]
    [InlineData(" Tests  1 failed | 9 passed (10)", "1 test failed (vitest)")]
    [InlineData("\u001b[1m Tests \u001b[22m \u001b[31m1 failed\u001b[39m | 9 passed (10)", "1 test failed (vitest)")]
    [InlineData("[ERROR] Tests run: 20, Failures: 2, Errors: 1, Skipped: 0", "3 tests failed (JUnit)")]
    [InlineData("21 tests completed, 3 failed", "3 tests failed (Gradle)")]
    [InlineData("ran suite: 12 passed, 5 failed", "5 tests failed (test run)")]
    public void TestRunSummaries_AreTests(string log, string detail) => AssertClass(log, FailureClass.Test, detail);

    [Theory]
    [InlineData("Program.cs(12,9): error CS0103: The name 'x' does not exist in the current context [/src/App.csproj]", "error CS0103 (C# compiler)")]
    [InlineData("a.cs(1,1): error CS0246: x\nb.cs(2,2): error CS0103: y\n\nBuild FAILED.", "error CS0246 and 1 more (C# compiler)")]
    [InlineData("    0 Warning(s)\n    1 Error(s)\nBuild FAILED.", "Build FAILED (MSBuild)")]
    [InlineData("main.c:4:5: error: implicit declaration of function 'foo'", "main.c:4:5: error: implicit declaration of function 'foo' (C/C++ compiler)")]
    [InlineData("error[E0425]: cannot find value `x` in this scope\n --> src/main.rs:2:5\nerror: could not compile `app`", "error[E0425] (rustc)")]
    [InlineData("# example.com/app\n./main.go:7:2: undefined: foo\nFAIL\texample.com/app [build failed]", "./main.go:7:2: undefined: foo (go build)")]
    [InlineData("Main.java:3: error: cannot find symbol", "Main.java:3: error: cannot find symbol (javac)")]
    [InlineData("src/index.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.", "error TS2322 (tsc)")]
    public void CompilerErrors_AreBuilds(string log, string detail) => AssertClass(log, FailureClass.Build, detail);

    [Theory]
    [InlineData("/src/a.js\n  1:7  error  'x' is assigned a value but never used  no-unused-vars\n\n✖ 12 problems (12 errors, 0 warnings)", "12 problems (eslint)")]
    [InlineData("app.py:1:8: F401 [*] `os` imported but unused\nFound 1 error.\n[*] 1 fixable with the `--fix` option.", "1 problem (ruff)")]
    [InlineData("app.py:1:1: F401 'os' imported but unused\napp.py:3:80: E501 line too long (88 > 79 characters)", "2 problems (flake8)")]
    [InlineData("In build.sh line 3:\necho $1\n     ^-- SC2086 (info): Double quote to prevent globbing and word splitting.", "1 problem (shellcheck)")]
    [InlineData("build.sh:3:6: note: Double quote to prevent globbing. [SC2086]\nbuild.sh:9:1: error: Couldn't parse this. [SC1073]", "2 problems (shellcheck)")]
    [InlineData("Dockerfile:3 DL3008 warning: Pin versions in apt get install.", "1 problem (hadolint)")]
    [InlineData("main.go:12:10: Error return value of `f.Close` is not checked (errcheck)\nmain.go:20:2: ineffectual assignment to err (ineffassign)", "2 issues (golangci-lint)")]
    public void LinterReports_AreLint(string log, string detail) => AssertClass(log, FailureClass.Lint, detail);

    [Theory]
    [InlineData("make: *** [all] Error 2")]
    [InlineData("Segmentation fault (core dumped)")]
    [InlineData("=========== 17 passed in 0.42s ===========")]
    [InlineData("test result: ok. 10 passed; 0 failed; 0 ignored")]
    [InlineData("Tests run: 20, Failures: 0, Errors: 0, Skipped: 0")]
    [InlineData("curl: (6) Could not resolve host: example.com")]
    [InlineData("")]
    public void AnythingUnclear_StaysScript(string log) => Assert.Null(FailureClassifier.Classify(log.Split('\n')));

    [Fact]
    public void ColouredOutput_IsReadWithoutItsEscapes() =>
        AssertClass("\u001b[31m✖ 3 problems (3 errors, 0 warnings)\u001b[39m", FailureClass.Lint, "3 problems (eslint)");

    [Fact]
    public void TestSummary_WinsOverCompilerNoiseBeforeIt() =>
        AssertClass("util.c:3:1: error: old warning turned error in a fixture\n===== 1 failed, 3 passed in 0.10s =====", FailureClass.Test, "1 test failed (pytest)");

    private static void AssertClass(string log, FailureClass? expected, string? detail)
    {
        var found = FailureClassifier.Classify(log.Split('\n'));

        Assert.Equal(expected, found?.Class);
        Assert.Equal(detail, found?.Detail);
    }
}
