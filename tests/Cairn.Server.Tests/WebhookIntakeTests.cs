using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cairn.Server.Hosting;
using Cairn.Server.Webhooks;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Tests;

/// <summary>What a webhook sender gets before it has proved who it is: a body refused by its length or cut off at the
/// limit, a short wait for a turn and then 503, and one answer for every way of not being verified.</summary>
public sealed class WebhookIntakeTests : IAsyncLifetime
{
    private const string Secret = "intake-secret";
    private const int Limit = 64 * 1024;
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(10);

    private readonly TempDirectory data = new();
    private readonly GitRepository repo = new();
    private ServerHarness server = null!;

    public async ValueTask InitializeAsync()
    {
        server = await ServerHarness.StartAsync(
            data.Path,
            configure: given =>
            {
                given["WebhookMaxBody"] = "64KiB";
                given["WebhookConcurrency"] = "2";
            },
            adjust: runtime => runtime with { WebhookTurnWait = TimeSpan.FromMilliseconds(300), WebhookReadTimeout = TimeSpan.FromSeconds(2) });
        await server.AddRepositoryAsync("octo/app", "github", repo.CloneUrl, "http://127.0.0.1:9", Secret);
        await server.AddRepositoryAsync("group/app", "gitlab", repo.CloneUrl, "http://127.0.0.1:9", Secret);
        await server.AddRepositoryAsync("octo/unsigned", "github", repo.CloneUrl, "http://127.0.0.1:9", secret: null!);
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        repo.Dispose();
        data.Dispose();
    }

    [Fact]
    public async Task A_length_over_the_limit_is_refused_413_before_any_of_the_body_is_sent()
    {
        await using var http = await RawHttp.ConnectAsync(server.Url);
        await http.SendHeadAsync("/hooks/github", GitHubHead("push", ("Content-Length", "25000000")));

        var answer = await http.ReadAnswerAsync(AnswerWithin);

        Assert.Equal(413, answer.Status);
        Assert.Contains("larger than 64 KiB", answer.Body, StringComparison.Ordinal);
        Assert.Equal("close", answer.Headers["Connection"]);
    }

    [Fact]
    public async Task A_chunked_body_is_refused_413_as_soon_as_it_passes_the_limit_without_waiting_for_its_end()
    {
        await using var http = await RawHttp.ConnectAsync(server.Url);
        await http.SendHeadAsync("/hooks/github", GitHubHead("push", ("Transfer-Encoding", "chunked")));
        var kilobyte = Encoding.ASCII.GetBytes(new string(' ', 1024));
        for (var i = 0; i <= Limit / 1024; i++)
        {
            await http.SendChunkAsync(kilobyte);
        }

        var answer = await http.ReadAnswerAsync(AnswerWithin);

        Assert.Equal(413, answer.Status);
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_read_and_verified_with_a_length_or_chunked_and_one_byte_more_is_not()
    {
        var body = PaddedPush("octo/app", Limit);
        var signature = "sha256=" + Deliveries.Hmac(Secret, body);

        var withLength = await server.Anonymous.SendAsync(Deliveries.GitHub("push", body, Secret));
        await using var http = await RawHttp.ConnectAsync(server.Url);
        await http.SendHeadAsync("/hooks/github", GitHubHead("push", ("Transfer-Encoding", "chunked"), ("X-Hub-Signature-256", signature)));
        await http.SendChunkAsync(body.AsMemory(0, Limit / 2));
        await http.SendChunkAsync(body.AsMemory(Limit / 2));
        await http.SendChunkAsync(ReadOnlyMemory<byte>.Empty);
        var chunked = await http.ReadAnswerAsync(AnswerWithin);
        var over = await server.Anonymous.SendAsync(Deliveries.GitHub("push", PaddedPush("octo/app", Limit + 1), Secret));

        Assert.Equal(HttpStatusCode.Accepted, withLength.StatusCode);
        Assert.Equal(202, chunked.Status);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over.StatusCode);
        Assert.Equal(2, (await server.ListEventsAsync()).Count);
    }

    [Fact]
    public async Task With_every_turn_taken_a_delivery_waits_briefly_then_gets_503_and_the_slow_senders_get_408()
    {
        var intake = server.Services.GetRequiredService<WebhookIntake>();
        var slow = new List<RawHttp>();
        for (var i = 0; i < 2; i++)
        {
            var http = await RawHttp.ConnectAsync(server.Url);
            await http.SendHeadAsync("/hooks/github", GitHubHead("push", ("Content-Length", "1000")));
            await http.SendAsync("{\"repo"u8.ToArray());
            slow.Add(http);
        }

        await WaitUntilAsync(() => intake.FreeTurns == 0, "the two slow senders to hold both turns");
        var busy = await server.Anonymous.SendAsync(Deliveries.GitHub("push", PaddedPush("octo/app", 1000), Secret));
        var slowAnswers = await Task.WhenAll(slow.Select(h => h.ReadAnswerAsync(AnswerWithin)));
        var afterwards = await server.Anonymous.SendAsync(Deliveries.GitHub("push", PaddedPush("octo/app", 1000), Secret));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Equal(WebhookIntake.RetryAfterSeconds, busy.Headers.RetryAfter!.ToString());
        Assert.All(slowAnswers, a => Assert.Equal(408, a.Status));
        Assert.Equal(HttpStatusCode.Accepted, afterwards.StatusCode);
        Assert.Equal(2, intake.FreeTurns);
        foreach (var http in slow)
        {
            await http.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_unknown_repository_another_forges_or_one_without_a_secret_is_answered_exactly_as_a_bad_signature()
    {
        HttpRequestMessage[] unverified =
        [
            Deliveries.GitHub("push", PaddedPush("octo/app", 1000), "not the secret"),
            Deliveries.GitHub("push", PaddedPush("octo/nothing", 1000), Secret),
            Deliveries.GitHub("push", PaddedPush("group/app", 1000), Secret),
            Deliveries.GitHub("push", PaddedPush("octo/unsigned", 1000), Secret),
            Deliveries.GitLab("Push Hook", Deliveries.GitLabPush("group/app", "refs/heads/main", Deliveries.ZeroSha, Sha), "not the secret"),
            Deliveries.GitLab("Push Hook", Deliveries.GitLabPush("group/nothing", "refs/heads/main", Deliveries.ZeroSha, Sha), Secret),
            Deliveries.GitLab("Push Hook", Deliveries.GitLabPush("octo/app", "refs/heads/main", Deliveries.ZeroSha, Sha), Secret),
        ];

        var answers = new List<(HttpStatusCode, string?, string)>();
        foreach (var request in unverified)
        {
            var response = await server.Anonymous.SendAsync(request);
            answers.Add((response.StatusCode, response.Content.Headers.ContentType?.MediaType, WithoutTraceId(await response.Content.ReadAsStringAsync())));
        }

        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.Equal(HttpStatusCode.Unauthorized, answers[0].Item1);
        Assert.Contains(WebhookEndpoint.NotVerifiedDetail, answers[0].Item3, StringComparison.Ordinal);
        Assert.Empty(await server.ListEventsAsync());
    }

    [Fact]
    public async Task A_body_that_is_not_a_payload_is_400_alike_whatever_repository_it_would_name()
    {
        var known = await server.Anonymous.SendAsync(Deliveries.GitHub("push", "{\"repository\": {\"full_name\": \"octo/app\"}"u8.ToArray(), Secret));
        var unknown = await server.Anonymous.SendAsync(Deliveries.GitHub("push", "{\"repository\": {\"full_name\": \"octo/nothing\"}"u8.ToArray(), "x"));

        Assert.Equal(HttpStatusCode.BadRequest, known.StatusCode);
        Assert.Equal(WithoutTraceId(await known.Content.ReadAsStringAsync()), WithoutTraceId(await unknown.Content.ReadAsStringAsync()));
    }

    private const string Sha = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";

    /// <summary>A GitHub push of <paramref name="repository"/> padded to exactly <paramref name="length"/> bytes.</summary>
    private static byte[] PaddedPush(string repository, int length)
    {
        var payload = JsonSerializer.SerializeToNode(Deliveries.GitHubPush(repository, "refs/heads/main", Deliveries.ZeroSha, Sha))!.AsObject();
        payload["padding"] = "";
        var bare = JsonSerializer.SerializeToUtf8Bytes(payload).Length;
        payload["padding"] = new string('x', length - bare);
        var body = JsonSerializer.SerializeToUtf8Bytes(payload);
        Assert.Equal(length, body.Length);
        return body;
    }

    private static IEnumerable<KeyValuePair<string, string>> GitHubHead(string eventName, params (string Name, string Value)[] more) =>
        new Dictionary<string, string>
        {
            ["Content-Type"] = "application/json",
            ["X-GitHub-Event"] = eventName,
            ["X-GitHub-Delivery"] = "chunked-1",
        }.Concat(more.Select(m => KeyValuePair.Create(m.Name, m.Value)));

    private static Task WaitUntilAsync(Func<bool> condition, string what) => Eventually.TrueAsync(condition, what, AnswerWithin);

    private static string WithoutTraceId(string problem)
    {
        var node = JsonNode.Parse(problem)!.AsObject();
        node.Remove("traceId");
        return node.ToJsonString();
    }
}
