using System.Text;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary><c>cairn artifacts RUN [--job J]</c> and <c>cairn artifacts download</c> against the API on loopback: the
/// table, one job's files, whole jobs through the zip, one file or a folder by <c>--path</c>, and a zip whose entry
/// would leave the target refused with nothing written.</summary>
public sealed class ArtifactsCommandTests : ServerCliTest
{
    private void Seed()
    {
        Server.AddRun(FakeCairnServer.NewRun(12, 3, "octo/app", "succeeded", FakeCairnServer.NewJob(100, "build", "succeeded")));
        Server.AddArtifacts(12, "build", ("dist/app", "binary"), ("dist/lib/a.txt", "aaa"), ("report.xml", "<r/>"));
        Server.AddArtifacts(12, "docs", ("site/index.html", new string('x', 2048)));
    }

    [Fact]
    public async Task The_run_s_artifacts_are_a_table_of_jobs_and_one_job_is_its_files()
    {
        Seed();

        var table = await CairnAsync("artifacts", "12");
        var files = await CairnAsync("artifacts", "12", "--job", "build");
        var json = await CairnAsync("artifacts", "12", "--json");

        Assert.True(table.ExitCode == 0, table.ToString());
        var rows = Lines(table.Stdout);
        Assert.Matches(@"^JOB\s+FILES\s+SIZE\s+EXPIRES$", rows[0]);
        Assert.Matches(@"^build\s+3\s+13 B\s+in 14d$", rows[1]);
        Assert.Matches(@"^docs\s+1\s+2\.0 KiB\s+in 14d$", rows[2]);
        Assert.True(files.ExitCode == 0, files.ToString());
        var lines = Lines(files.Stdout);
        Assert.Matches(@"^PATH\s+SIZE$", lines[0]);
        Assert.Matches(@"^dist/app\s+6 B$", lines[1]);
        Assert.Equal("… and 1 more (cairn artifacts download 12 --job build gets them all)", lines[^1]);
        Assert.Contains("?job=build", Server.Api("GET", "/api/v1/runs/12/artifacts").Select(r => r.Query), StringComparer.Ordinal);
        Assert.Equal(12, AssertOneJsonDocument(json).GetProperty("runId").GetInt64());
    }

    [Fact]
    public async Task A_run_without_artifacts_or_that_is_not_there_says_so_in_a_sentence()
    {
        Server.AddRun(FakeCairnServer.NewRun(13, 4, "octo/app", "succeeded"));

        var none = await CairnAsync("artifacts", "13");
        var nothingToGet = await CairnAsync("artifacts", "download", "13");
        var missing = await CairnAsync("artifacts", "99");

        Assert.Equal("run 13 has no artifacts (none kept, or they expired)\n", none.Stdout);
        Assert.Equal(1, nothingToGet.ExitCode);
        Assert.Contains("error: run 13 has no artifacts", nothingToGet.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error: there is no run 99", missing.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(missing);
        Assert.False(Directory.Exists(Path.Combine(Dir.Path, "artifacts-13")));
    }

    [Fact]
    public async Task Every_job_is_downloaded_into_a_folder_of_its_own()
    {
        Seed();

        var result = await CairnAsync("artifacts", "download", "12");

        Assert.True(result.ExitCode == 0, result.ToString());
        var root = Path.Combine(Dir.Path, "artifacts-12");
        Assert.Equal("binary", await File.ReadAllTextAsync(Path.Combine(root, "build", "dist", "app"), TestContext.Current.CancellationToken));
        Assert.Equal("aaa", await File.ReadAllTextAsync(Path.Combine(root, "build", "dist", "lib", "a.txt"), TestContext.Current.CancellationToken));
        Assert.Equal(2048, new FileInfo(Path.Combine(root, "docs", "site", "index.html")).Length);
        Assert.Contains("build: 3 files, 13 B into ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("docs: 1 file, 2.0 KiB into ", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(root, "*.part", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(root, ".*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_path_gets_one_file_through_its_route_or_a_folder_out_of_the_zip()
    {
        Seed();
        var output = Path.Combine(Dir.Path, "out");

        var file = await CairnAsync("artifacts", "download", "12", "--job", "build", "--path", "dist/app", "-o", output);
        var folder = await CairnAsync("artifacts", "download", "12", "--job", "build", "--path", "dist/lib/", "-o", Path.Combine(Dir.Path, "lib"));
        var absent = await CairnAsync("artifacts", "download", "12", "--job", "build", "--path", "nope", "-o", Path.Combine(Dir.Path, "none"));

        Assert.True(file.ExitCode == 0, file.ToString());
        Assert.Equal("binary", await File.ReadAllTextAsync(Path.Combine(output, "build", "dist", "app"), TestContext.Current.CancellationToken));
        Assert.Equal(["build"], Directory.GetDirectories(output).Select(Path.GetFileName));
        Assert.Single(Directory.GetFiles(output, "*", SearchOption.AllDirectories));
        Assert.Contains(Server.Api("GET", "/api/v1/runs/12/artifacts/build/files/dist/app"), r => r.Query == "?download=1");
        Assert.True(folder.ExitCode == 0, folder.ToString());
        Assert.Equal(
            [Path.Combine(Dir.Path, "lib", "build", "dist", "lib", "a.txt")],
            Directory.GetFiles(Path.Combine(Dir.Path, "lib"), "*", SearchOption.AllDirectories));
        var everyJob = await CairnAsync("artifacts", "download", "12", "--path", "site", "-o", Path.Combine(Dir.Path, "site"));
        Assert.True(everyJob.ExitCode == 0, everyJob.ToString());
        Assert.Equal(["docs"], Directory.GetDirectories(Path.Combine(Dir.Path, "site")).Select(Path.GetFileName));
        Assert.StartsWith("docs: 1 file, 2.0 KiB into ", everyJob.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, absent.ExitCode);
        Assert.Contains("error: no file or folder nope in the artifacts of job build", absent.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../escaped.txt")]
    [InlineData("dist/../../escaped.txt")]
    [InlineData("/tmp/escaped.txt")]
    public async Task A_zip_entry_that_leaves_the_folder_is_refused_and_nothing_is_written(string hostile)
    {
        Seed();
        Server.ZipOverrides[(12, "build")] = FakeCairnServer.MakeZip([("dist/ok.txt", "ok"u8.ToArray()), (hostile, Encoding.UTF8.GetBytes("pwned"))]);
        var target = Path.Combine(Dir.Path, "target");

        var result = await CairnAsync("artifacts", "download", "12", "--job", "build", "-o", target);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: job build: the zip has an entry that leaves the folder it is extracted into ({hostile}): nothing was extracted", result.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(result);
        Assert.False(File.Exists(Path.Combine(Dir.Path, "escaped.txt")));
        Assert.False(File.Exists(Path.Combine(target, "escaped.txt")));
        Assert.False(File.Exists("/tmp/escaped.txt") && File.ReadAllText("/tmp/escaped.txt") == "pwned");
        Assert.Empty(Directory.GetFiles(target, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_symbolic_link_in_the_target_is_not_written_through()
    {
        Seed();
        var target = Path.Combine(Dir.Path, "target");
        var outside = Path.Combine(Dir.Path, "outside");
        Directory.CreateDirectory(Path.Combine(target, "build"));
        Directory.CreateDirectory(outside);
        Directory.CreateSymbolicLink(Path.Combine(target, "build", "dist"), outside);

        var result = await CairnAsync("artifacts", "download", "12", "--job", "build", "-o", target);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is a symbolic link: nothing is written through it", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(outside));
    }
}
