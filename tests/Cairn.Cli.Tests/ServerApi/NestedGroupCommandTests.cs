namespace Cairn.Cli.Tests.ServerApi;

/// <summary>A GitLab project in subgroups named on the command line: every command that names a repository puts its
/// parts in the URL as path segments, each escaped alone, never the whole name as one segment with <c>%2F</c>.</summary>
public sealed class NestedGroupCommandTests : ServerCliTest
{
    private const string Name = "group/sub.team/my-project";

    [Fact]
    public async Task Every_command_naming_a_nested_project_sends_its_parts_as_path_segments()
    {
        // Without --ref, trigger reads the repository's default branch first.
        await CairnAsync("trigger", Name);
        await CairnAsync("repo", "set", Name, "--fork-pull-requests", "run");
        await CairnAsync("repo", "remove", Name);
        await CairnAsync("trigger", Name, "--ref", "main");
        await CairnProcess.RunWithStdinAsync(Dir.Path, Env(), "v", "secret", "set", "DEPLOY_KEY", "--repo", Name);
        await CairnAsync("secret", "list", "--repo", Name);
        await CairnAsync("secret", "remove", "DEPLOY_KEY", "--repo", Name);

        Assert.Equal(
            [
                $"GET /api/v1/repos/{Name}",
                $"PATCH /api/v1/repos/{Name}",
                $"DELETE /api/v1/repos/{Name}",
                $"POST /api/v1/repos/{Name}/runs",
                $"PUT /api/v1/repos/{Name}/secrets/DEPLOY_KEY",
                $"GET /api/v1/repos/{Name}/secrets",
                $"DELETE /api/v1/repos/{Name}/secrets/DEPLOY_KEY",
            ],
            Server.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.DoesNotContain(Server.Requests, r => r.Path.Contains("%2F", StringComparison.OrdinalIgnoreCase));
    }
}
