using System.Net;
using System.Text;

namespace Cairn.Server.Tests;

/// <summary>Thousands of malformed, truncated or mis-signed deliveries: only 4xx answers, and no run is created.</summary>
public sealed class FuzzTests : IAsyncLifetime
{
    private const string Secret = "fuzz-secret";
    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await ServerHarness.StartAsync(data.Path);
        foreach (var forge in new[] { "github", "gitlab", "gitea", "bitbucket" })
        {
            await server.AddRepositoryAsync($"{forge}/app", forge, repo.CloneUrl, "http://127.0.0.1:9", Secret);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        repo.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task Malformed_and_missigned_deliveries_get_only_4xx_and_start_nothing()
    {
        var random = new Random(20261121);
        var sha = repo.Commit("name: ci\njobs:\n  a:\n    steps: [{ run: 'true' }]\n");
        var seeds = new List<(string Forge, byte[] Body)>
        {
            ("github", Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(Deliveries.GitHubPush("github/app", "refs/heads/main", Deliveries.ZeroSha, sha)))),
            ("gitea", Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(Deliveries.GitHubPush("gitea/app", "refs/heads/main", Deliveries.ZeroSha, sha)))),
            ("gitlab", Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(Deliveries.GitLabPush("gitlab/app", "refs/heads/main", Deliveries.ZeroSha, sha)))),
            ("bitbucket", Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(Deliveries.BitbucketPush("bitbucket/app", "main", null, sha)))),
        };
        var answers = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < 2000; i++)
        {
            var (forge, seed) = seeds[random.Next(seeds.Count)];
            var body = Mutate(seed, random);
            using var request = Build(forge, body, random);
            using var response = await server.Anonymous.SendAsync(request);
            answers[response.StatusCode] = answers.GetValueOrDefault(response.StatusCode) + 1;
            Assert.True((int)response.StatusCode is >= 400 and < 500,
                $"delivery {i} to {forge} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        Assert.Empty(await server.ListRunsAsync());
        // 400 for a body that is not a payload, 401 for every other refusal: an unknown repository is answered as a bad signature.
        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized], answers.Keys.Order());
    }

    // Signatures here are always wrong, absent or garbled, or bodies are changed after signing: nothing may pass.
    private static HttpRequestMessage Build(string forge, byte[] body, Random random)
    {
        var request = forge switch
        {
            "github" => Deliveries.GitHub(Pick(random, "push", "pull_request", "ping", "", "Push"), body, Secret),
            "gitea" => Deliveries.Gitea(Pick(random, "push", "pull_request", "x"), body, Secret),
            "gitlab" => Deliveries.GitLab(Pick(random, "Push Hook", "Merge Request Hook", "Tag Push Hook"), body, Secret),
            _ => Deliveries.Bitbucket(Pick(random, "repo:push", "pullrequest:created", "?"), body, Secret),
        };

        // Re-sign nothing: break the signature one of several ways, or change the body after it was signed.
        switch (random.Next(5))
        {
            case 0:
                foreach (var header in new[] { "X-Hub-Signature-256", "X-Gitea-Signature", "X-Gitlab-Token", "X-Hub-Signature" })
                {
                    request.Headers.Remove(header);
                }

                break;
            case 1:
                foreach (var header in new[] { "X-Hub-Signature-256", "X-Gitea-Signature", "X-Gitlab-Token", "X-Hub-Signature" })
                {
                    if (request.Headers.Remove(header))
                    {
                        request.Headers.TryAddWithoutValidation(header, Pick(random, "sha256=", "sha1=abc", "zz", new string('a', 64), "sha256=" + new string('0', 64), "%%"));
                    }
                }

                break;
            default:
                if (forge == "gitlab")
                {
                    request.Headers.Remove("X-Gitlab-Token");
                    request.Headers.TryAddWithoutValidation("X-Gitlab-Token", Secret + random.Next(10));
                }
                else
                {
                    var content = request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
                    var signed = new ByteArrayContent([.. content, (byte)' ']);
                    signed.Headers.ContentType = request.Content.Headers.ContentType;
                    request.Content = signed;
                }

                break;
        }

        return request;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var body = (byte[])seed.Clone();
        switch (random.Next(6))
        {
            case 0:
                return body[..random.Next(body.Length)];
            case 1:
                for (var i = 0; i < 1 + random.Next(8); i++)
                {
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                }

                return body;
            case 2:
                var junk = new byte[random.Next(1, 4096)];
                random.NextBytes(junk);
                return junk;
            case 3:
                return Encoding.UTF8.GetBytes(Pick(random, "", "null", "[]", "{}", "\"x\"", "{\"repository\":{}}", "{\"repository\":{\"full_name\":42}}", "{\"project\":null}"));
            default:
                return body;
        }
    }

    private static string Pick(Random random, params string[] choices) => choices[random.Next(choices.Length)];
}
