using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cairn.Server.Tests;

/// <summary>A repository's name is part of the API's paths: one that a path resolves elsewhere (<c>../..</c>) could be
/// added and never reached again, so it is refused, naming the rule.</summary>
public sealed class RepositoryNameTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync() => server = await ServerHarness.StartAsync(data.Path);

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        data.Dispose();
    }

    [Theory]
    [InlineData("../..", "has a '..' part")]
    [InlineData("./app", "has a '.' part")]
    [InlineData("octo/../app", "has a '..' part")]
    [InlineData("octo//app", "has an empty part")]
    [InlineData("/octo/app", "has an empty part")]
    [InlineData("octo/app/", "has an empty part")]
    [InlineData("octo\\app", "holds a backslash")]
    [InlineData("octo/my app", "holds whitespace")]
    [InlineData("octo/app\u001b]0;pwned\u0007", "holds a control character")]
    [InlineData("octo/ap\u0085p", "holds a control character")]
    [InlineData("octo", "is not a repository's full name")]
    [InlineData("octo/app?x=1", "holds '?'")]
    public async Task A_name_with_a_path_step_an_empty_part_or_odd_characters_is_a_400_naming_the_rule(string name, string rule)
    {
        var response = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name, forge = "github", cloneUrl = "https://example.invalid/a.git" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = Assert.Single(problem.RootElement.GetProperty("errors").EnumerateArray()).GetString()!;
        Assert.StartsWith("name: ", error, StringComparison.Ordinal);
        Assert.Contains(rule, error, StringComparison.Ordinal);
        Assert.DoesNotContain(error, c => char.IsControl(c));
        Assert.Equal(0, (await server.Client.GetFromJsonAsync<JsonElement>("/api/v1/repos")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_name_over_256_characters_is_refused()
    {
        var name = "octo/" + new string('a', 252);

        var response = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name, forge = "github", cloneUrl = "https://example.invalid/a.git" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 256", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gitlab_project_in_subgroups_can_be_added_read_and_removed()
    {
        var added = await server.Client.PostAsJsonAsync("/api/v1/repos", new { name = "group/sub/project", forge = "gitlab", cloneUrl = "https://gitlab.example/group/sub/project.git" });
        var read = await server.Client.GetFromJsonAsync<JsonElement>("/api/v1/repos/group/sub/project");
        var removed = await server.Client.DeleteAsync("/api/v1/repos/group/sub/project");
        var gone = await server.Client.GetAsync("/api/v1/repos/group/sub/project");

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("group/sub/project", read.GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
