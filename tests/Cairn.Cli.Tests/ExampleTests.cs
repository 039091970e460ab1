namespace Cairn.Cli.Tests;

/// <summary>The pipelines in examples/ run as they are; each is copied first so a run leaves the checkout untouched.</summary>
public sealed class ExampleTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Hello_Succeeds_AndGreetsFromItsJob()
    {
        var example = CopyExample("hello");

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "hello");

        Assert.True(result.ExitCode == 0, result.ToString());
        CairnOutput.AssertClean(result);
        var table = SummaryTable.Parse(result.Stdout);
        Assert.Equal("succeeded", table.Status);
        var greet = CairnOutput.LinesOf(result.Stdout, "greet");
        Assert.Contains($"Hello from Cairn, job 'greet', run {table.RunId}", greet);
        Assert.Contains($"workspace: {example}", greet);
    }

    [Fact]
    public async Task Matrix_Succeeds_WithEveryCombinationInPlanOrder()
    {
        CopyExample("matrix");

        var result = await CairnProcess.RunAsync(_dir.Path, "run", "matrix");

        Assert.True(result.ExitCode == 0, result.ToString());
        CairnOutput.AssertClean(result);
        var table = SummaryTable.Parse(result.Stdout);
        Assert.Equal(
            ["build", "test (debian, 8)", "test (debian, 10)", "test (alpine, 10)", "test (debian, 9)", "package"],
            table.Rows.Select(r => r.Job));
        Assert.All(table.Rows, r => Assert.Equal("succeeded", r.Status));
        Assert.Contains("packaging the release build after every test passed", CairnOutput.LinesOf(result.Stdout, "package"));
    }

    [Fact]
    public async Task Failing_ExitsOne_SkipsDeploy_StillReports_AndLeavesNoScratchStore()
    {
        CopyExample("failing");
        var scratch = Directory.CreateDirectory(_dir.Combine("tmp")).FullName;

        var result = await CairnProcess.RunAsync(_dir.Path, new Dictionary<string, string?> { ["TMPDIR"] = scratch }, "run", "failing");

        Assert.True(result.ExitCode == 1, result.ToString());
        CairnOutput.AssertClean(result);
        var table = SummaryTable.Parse(result.Stdout);
        Assert.Equal("failed", table.Status);
        Assert.Equal("succeeded", table["lint"].Status);
        Assert.Equal(("failed", "1", "test"), (table["unit"].Status, table["unit"].Exit, table["unit"].Class));
        Assert.Equal("skipped", table["deploy"].Status);
        Assert.Equal("succeeded", table["report"].Status);
        Assert.Contains("cleaning up after the failure", CairnOutput.LinesOf(result.Stdout, "unit"));
        Assert.DoesNotContain("this does not run", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(scratch, "cairn-run-*"));
    }

    public void Dispose() => _dir.Dispose();

    private string CopyExample(string name)
    {
        var source = Path.Combine(BuildLayout.RepositoryRoot, "examples", name);
        var target = _dir.Combine(name);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }
}
