using Cairn.Core.Pipelines;

namespace Cairn.Core.Tests.Pipelines;

public sealed class PipelineShapeErrorTests
{
    private static List<string> Errors(string yaml) => [.. PipelineLoader.Load(yaml, "ci.yml").Errors.Select(e => e.ToString())];

    [Fact]
    public void JobThatIsNotAMapping_IsOneError() =>
        Assert.Equal(
            ["ci.yml:2:6: error: job 'c' must be a mapping of job settings, with at least 'steps'"],
            Errors("jobs:\n  c: 5\n"));

    [Fact]
    public void InvalidJobName_IsAnError() =>
        Assert.Equal(
            ["ci.yml:2:3: error: 'a b' is not a valid job name; use letters, digits, _ and -, starting with a letter or _"],
            Errors("jobs:\n  a b:\n    steps: [{ run: make }]\n"));

    [Fact]
    public void UnknownStepKey_AndEmptyIf_AreErrors() =>
        Assert.Equal(
            [
                "ci.yml:2:29: error: unknown key 'nmae' in step 1 of job 'a'; did you mean 'name'?",
                "ci.yml:2:42: error: 'if' is empty; remove it or give a condition like ${{ failure() }}",
            ],
            Errors("jobs:\n  a: { steps: [{ run: make, nmae: x, if: \"\" }] }\n"));

    [Fact]
    public void DuplicateEnvVariable_IsAnError() =>
        Assert.Equal(
            ["ci.yml:1:14: error: variable 'A' is set twice in 'env' at the top level (first at 1:8)"],
            Errors("env: { A: 1, A: 2 }\njobs: { a: { steps: [{ run: make }] } }\n"));

    [Fact]
    public void WrongShapesInTriggers_AreEachReported() =>
        Assert.Equal(
            [
                "ci.yml:1:25: error: 'branches' in 'push' must be a glob or a list of globs",
                "ci.yml:1:47: error: 'schedule' must be a list like [{ cron: \"0 3 * * 1-5\" }]",
                "ci.yml:1:89: error: 'required' must be true or false, not 'maybe'",
            ],
            Errors("on: { push: { branches: { a: 1 } }, schedule: daily, manual: { inputs: { x: { required: maybe } } } }\njobs: { a: { steps: [{ run: make }] } }\n"));

    [Fact]
    public void SecondYamlDocument_IsAnError() =>
        Assert.Contains(
            "ci.yml:3:1: error: a pipeline file holds one YAML document; remove the second '---' document",
            Errors("---\njobs: { a: { steps: [{ run: make }] } }\n---\nx: 1\n"));

    [Fact]
    public void UnclosedTemplate_IsReportedWhereItOpens() =>
        Assert.Equal(
            ["ci.yml:1:12: error: '${{' is not closed: end the expression with '}}'"],
            Errors("env: { X: \"${{ inputs.x\" }\njobs: { a: { steps: [{ run: make }] } }\n"));
}
