using Cairn.Core.Pipelines;

namespace Cairn.Core.Tests.Pipelines;

public sealed class PipelineExpressionTests
{
    private static List<PipelineError> Errors(string yaml) => [.. PipelineLoader.Load(yaml, "ci.yml").Errors];

    [Fact]
    public void MatrixOutsideAMatrixJob_IsAnError_AtTheExpression()
    {
        var error = Assert.Single(Errors("""
            jobs:
              a:
                env: { OS: "${{ matrix.os }}" }
                steps: [{ run: make }]
            """));

        Assert.Equal(new SourceLocation("ci.yml", 3, 21), error.Location);
        Assert.Contains("no matrix", error.Message);
    }

    [Fact]
    public void MatrixKeys_FromAxesAndIncludes_AreReadable()
    {
        var result = PipelineLoader.Load("""
            jobs:
              a:
                matrix: { os: [debian], include: [{ os: debian, libc: glibc }] }
                env: { OS: "${{ matrix.os }}", LIBC: "${{ matrix.libc }}" }
                image: "${{ matrix.os }}:12"
                steps: [{ name: "build on ${{ matrix.os }}", run: make }]
            """, "ci.yml");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
    }

    [Fact]
    public void UnknownMatrixKey_IsReportedAtTheKey_InsideAQuotedValue()
    {
        var error = Assert.Single(Errors("""
            jobs:
              a:
                matrix: { os: [debian] }
                env: { OS: "x-${{ matrix.oss }}" }
                steps: [{ run: make }]
            """));

        Assert.Equal(new SourceLocation("ci.yml", 4, 30), error.Location);
        Assert.Contains("did you mean 'os'", error.Message);
    }

    [Fact]
    public void UndeclaredInput_InTopLevelEnv_IsAnError()
    {
        var error = Assert.Single(Errors("""
            on: { manual: { inputs: { target: prod } } }
            env: { T: "${{ inputs.targte }}" }
            jobs: { a: { steps: [{ run: make }] } }
            """));

        Assert.Equal(2, error.Location.Line);
        Assert.Contains("did you mean 'target'", error.Message);
    }

    [Fact]
    public void StatusFunctions_AreAllowedInIf_ButNotInEnv()
    {
        var errors = Errors("""
            jobs:
              a:
                if: always()
                env: { X: "${{ failure() }}" }
                steps:
                  - run: make
                    if: ${{ failure() }}
            """);

        var error = Assert.Single(errors);
        Assert.Equal(new SourceLocation("ci.yml", 4, 20), error.Location);
        Assert.Contains("only be used in if", error.Message);
    }

    [Fact]
    public void BareCondition_WithAnError_PointsIntoTheCondition()
    {
        var error = Assert.Single(Errors("""
            on: { manual: { inputs: { target: prod } } }
            jobs:
              a:
                if: inputs.target == 'x' && inputs.nope == 'y'
                steps: [{ run: make }]
            """));

        Assert.Equal(new SourceLocation("ci.yml", 4, 40), error.Location);
    }

    [Fact]
    public void ConditionMixingTextAndExpressions_IsAnError() =>
        Assert.Equal(
            "ci.yml:3:9: error: 'if' must be one condition, either bare (inputs.x == 'y') or wholly inside ${{ }}",
            Assert.Single(Errors("jobs:\n  a:\n    if: ${{ always() }} && ${{ failure() }}\n    steps: [{ run: make }]\n")).ToString());

    [Fact]
    public void TopLevelEnv_CannotReadEnv_ButJobEnvCan()
    {
        var error = Assert.Single(Errors("""
            env: { A: "x", B: "${{ env.A }}" }
            jobs:
              a:
                env: { C: "${{ env.A }}" }
                steps: [{ run: make }]
            """));

        Assert.Equal(1, error.Location.Line);
        Assert.Contains("the pipeline's env cannot read env", error.Message);
    }

    [Fact]
    public void MatrixThatCannotBeRead_StillNamesItsAxes_ToExpressions()
    {
        var errors = Errors("""
            jobs:
              a:
                matrix: { os: [] }
                env: { GOOD: "${{ matrix.os }}", TYPO: "${{ matrix.oss }}" }
                steps: [{ run: make }]
            """).Select(e => e.Message).ToList();

        Assert.Equal(2, errors.Count);
        Assert.Contains("matrix axis 'os' has no values", errors);
        Assert.Contains(errors, m => m.StartsWith("unknown matrix key 'oss'; did you mean 'os'?", StringComparison.Ordinal) && m.Contains("(keys: os)", StringComparison.Ordinal));
    }
}
