using System.Net.Http.Json;
using Cairn.Server.Api;
using Cairn.Server.Hosting;

namespace Cairn.Server.Tests;

/// <summary>The data directory holds the master key, the admin token and the database: nobody but the server's own user
/// may read a byte of it, on a new install and on one made with an older Cairn's modes.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DataDirectoryTests : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateFolder = Private | UnixFileMode.UserExecute;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ANewDataDirectory_IsMadeOwnerOnly_AndNothingNeedsTightening()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix modes");
        var data = _dir.Combine("cairn-data");

        var note = DataDirectory.Secure(data);

        Assert.Null(note);
        Assert.Equal(PrivateFolder, File.GetUnixFileMode(data));
    }

    [Fact]
    public void AnOlderInstall_IsTightened_FoldersTo0700_FilesTo0600_AndSaysSo_LeavingSymlinksAlone()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix modes");
        var data = _dir.Combine("cairn-data");
        var outside = _dir.WriteFile("outside.txt", "not the server's");
        File.SetUnixFileMode(outside, (UnixFileMode)0b110_100_100);
        foreach (var file in new[] { "cairn.db", "cairn.db-wal", "master.key", "git/octo-app.git/objects/pack/pack-1.pack", "git/octo-app.git/HEAD" })
        {
            File.SetUnixFileMode(_dir.WriteFile(Path.Combine("cairn-data", file), "x"), (UnixFileMode)0b110_100_100);
        }

        foreach (var folder in Directory.GetDirectories(data, "*", SearchOption.AllDirectories).Append(data))
        {
            File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        }

        File.CreateSymbolicLink(Path.Combine(data, "link"), outside);

        var note = DataDirectory.Secure(data);

        Assert.NotNull(note);
        Assert.Contains("tightened 10 entries", note, StringComparison.Ordinal);
        Assert.Equal(PrivateFolder, File.GetUnixFileMode(data));
        Assert.All(Directory.GetDirectories(data, "*", SearchOption.AllDirectories), d => Assert.Equal(PrivateFolder, File.GetUnixFileMode(d)));
        Assert.All(Directory.GetFiles(data, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).LinkTarget is null),
            f => Assert.Equal(Private, File.GetUnixFileMode(f)));
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(outside));
        Assert.Null(DataDirectory.Secure(data));
    }

    [Fact]
    public void ThePrivateDatabaseFile_GivesSqlitesWalAndShm_ItsMode()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix modes");
        var path = _dir.Combine("cairn.db");

        DataDirectory.CreatePrivateFile(path);
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);";
            command.ExecuteNonQuery();
            Assert.True(File.Exists(path + "-wal"));
            Assert.Equal(Private, File.GetUnixFileMode(path + "-wal"));
            Assert.Equal(Private, File.GetUnixFileMode(path + "-shm"));
        }

        Assert.Equal(Private, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task ARunningServer_KeepsEveryFileOfItsDataDirectoryOwnerOnly_AndItsWorkspacesOutsideIt()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix modes");
        var data = _dir.Combine("cairn-data");
        using var repo = new GitRepository();
        await using (var server = await ServerHarness.StartAsync(data))
        {
            await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, "http://127.0.0.1:9/", "secret");
            repo.Commit("jobs:\n  build:\n    steps:\n      - run: echo \"ws=$CAIRN_WORKSPACE\" && git rev-parse HEAD\n");
            var created = await server.Client.PostAsJsonAsync("/api/v1/repos/octo/app/runs", new { @ref = "main" });
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            var ended = await server.WaitForRunAsync((await created.Content.ReadFromJsonAsync<RunView>())!.Id);
            Assert.Equal("succeeded", ended.Status);
            var log = await server.Client.GetStringAsync($"/api/v1/runs/{ended.Id}/jobs/{ended.Jobs![0].Id}/log");
            Assert.Contains($"ws={data}-workspaces{Path.DirectorySeparatorChar}", log, StringComparison.Ordinal);
            Assert.Contains(ended.Sha!, log, StringComparison.Ordinal);
        }

        Assert.Equal(PrivateFolder, File.GetUnixFileMode(data));
        var files = Directory.GetFiles(data, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith("cairn.db", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(AdminToken.FileName, StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("master.key", StringComparison.Ordinal));
        Assert.Contains(files, f => f.Contains($"{Path.DirectorySeparatorChar}objects{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.All(files, f => Assert.True((File.GetUnixFileMode(f) & ~Private) == 0, $"{f} is {File.GetUnixFileMode(f)}"));
        Assert.All(Directory.GetDirectories(data, "*", SearchOption.AllDirectories),
            d => Assert.True((File.GetUnixFileMode(d) & ~PrivateFolder) == 0, $"{d} is {File.GetUnixFileMode(d)}"));
    }
}
