using Cairn.Core.Forges;

namespace Cairn.Forges.Tests.Statuses;

/// <summary>How a status post ends when the forge is slow, busy, broken or gone: quick retries for what may pass,
/// a <see cref="StatusDelivery.Retry"/> for the outbox when they are spent, a <see cref="StatusDelivery.Rejected"/>
/// with the forge's own words for what never will.</summary>
public sealed class StatusResilienceTests : IAsyncLifetime
{
    private readonly SocketsHttpHandler _handler = new();
    private readonly RecordingTimeProvider _time = new();
    private FakeForgeServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await FakeForgeServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        _handler.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task AServerErrorThenCreated_IsDelivered_OnAQuickRetry()
    {
        _server.Then(new Answer(500, """{"message":"Server Error"}"""), new Answer(201));

        var delivery = await ReportAsync(ForgeKind.GitHub);

        Assert.IsType<StatusDelivery.Delivered>(delivery);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public async Task ServerErrorsThroughout_AreARetry_OnceTheQuickRetriesAreSpent()
    {
        _server.Then(Enumerable.Repeat(new Answer(502, "<html>Bad Gateway</html>"), 3).ToArray());

        var delivery = await ReportAsync(ForgeKind.Gitea);

        var retry = Assert.IsType<StatusDelivery.Retry>(delivery);
        Assert.Equal("gitea answered 502: <html>Bad Gateway</html>", retry.Reason);
        Assert.Null(retry.After);
        Assert.Equal(1 + StatusTestKit.Options.QuickRetries, _server.Requests.Count);
    }

    [Fact]
    public async Task TooManyRequests_WithAShortRetryAfter_WaitsWhatTheForgeAsked_ThenDelivers()
    {
        _server.Then(new Answer(429, """{"message":"slow down"}""", new Dictionary<string, string> { ["Retry-After"] = "1" }), new Answer(201));

        var delivery = await ReportAsync(ForgeKind.GitLab);

        Assert.IsType<StatusDelivery.Delivered>(delivery);
        Assert.Equal(2, _server.Requests.Count);
        Assert.Contains(TimeSpan.FromSeconds(1), _time.Timers);
    }

    [Fact]
    public async Task TooManyRequests_WithALongRetryAfter_IsARetryAtOnce_CarryingTheWait()
    {
        _server.Then(new Answer(429, """{"type":"error","error":{"message":"Rate limit for this resource has been exceeded"}}""",
            new Dictionary<string, string> { ["Retry-After"] = "120" }));

        var delivery = await ReportAsync(ForgeKind.Bitbucket);

        var retry = Assert.IsType<StatusDelivery.Retry>(delivery);
        Assert.Equal("bitbucket answered 429: Rate limit for this resource has been exceeded", retry.Reason);
        Assert.Equal(TimeSpan.FromSeconds(120), retry.After);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task GitHubsRateLimit_A403WithNothingRemaining_IsARetryUntilTheReset()
    {
        var reset = _time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds();
        _server.Then(new Answer(403, """{"message":"API rate limit exceeded for installation ID 1."}""",
            new Dictionary<string, string> { ["x-ratelimit-remaining"] = "0", ["x-ratelimit-reset"] = reset.ToString(System.Globalization.CultureInfo.InvariantCulture) }));

        var delivery = await ReportAsync(ForgeKind.GitHub);

        var retry = Assert.IsType<StatusDelivery.Retry>(delivery);
        Assert.StartsWith("github answered 403: API rate limit exceeded", retry.Reason, StringComparison.Ordinal);
        Assert.InRange(retry.After!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task UnprocessableEntity_IsRejected_WithTheForgesMessage_AndNotRetried()
    {
        _server.Then(new Answer(422, """
            {"message":"Validation Failed","errors":[{"resource":"Status","code":"custom","field":"description",
             "message":"description is too long (maximum is 140 characters)"}],"documentation_url":"https://docs.github.com/rest"}
            """));

        var delivery = await ReportAsync(ForgeKind.GitHub);

        Assert.Equal("github answered 422: Validation Failed (description is too long (maximum is 140 characters))",
            Assert.IsType<StatusDelivery.Rejected>(delivery).Reason);
        Assert.Single(_server.Requests);
    }

    [Theory]
    [InlineData(ForgeKind.GitLab, 401, """{"message":"401 Unauthorized"}""", "gitlab answered 401: 401 Unauthorized")]
    [InlineData(ForgeKind.GitLab, 400, """{"message":{"state":["is invalid"]}}""", """gitlab answered 400: {"state":["is invalid"]}""")]
    [InlineData(ForgeKind.GitLab, 403, """{"error":"insufficient_scope","error_description":"The request requires higher privileges."}""",
        "gitlab answered 403: The request requires higher privileges.")]
    [InlineData(ForgeKind.Gitea, 404, """{"errors":null,"message":"The target couldn't be found.","url":"https://gitea.com/api/swagger"}""",
        "gitea answered 404: The target couldn't be found.")]
    [InlineData(ForgeKind.Bitbucket, 404, """{"type":"error","error":{"message":"Commit not found","detail":"no such commit"}}""",
        "bitbucket answered 404: Commit not found (no such commit)")]
    [InlineData(ForgeKind.GitHub, 401, "", "github answered 401: Unauthorized")]
    [InlineData(ForgeKind.GitHub, 404, "Not\r\nFound\u0007", "github answered 404: Not Found")]
    public async Task Refusals_AreRejected_WithTheForgesMessageOnOneLine(ForgeKind forge, int status, string body, string reason)
    {
        _server.Then(new Answer(status, body));

        var delivery = await ReportAsync(forge);

        Assert.Equal(reason, Assert.IsType<StatusDelivery.Rejected>(delivery).Reason);
    }

    [Fact]
    public async Task AHugeErrorBody_GivesAShortReason()
    {
        _server.Then(new Answer(400, new string('x', 1_000_000)));

        var delivery = await ReportAsync(ForgeKind.GitHub);

        Assert.InRange(Assert.IsType<StatusDelivery.Rejected>(delivery).Reason.Length, 200, 240);
    }

    [Fact]
    public async Task AnAnswerSlowerThanTheAttemptTimeout_IsARetry_AfterTheQuickRetries()
    {
        var options = StatusTestKit.Options with { AttemptTimeout = TimeSpan.FromMilliseconds(300) };
        _server.Then(Enumerable.Repeat(new Answer(201, Delay: TimeSpan.FromMinutes(5)), 3).ToArray());

        var delivery = await ReportAsync(ForgeKind.GitHub, options);

        Assert.Equal("github did not answer within 300 ms", Assert.IsType<StatusDelivery.Retry>(delivery).Reason);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task ASlowAnswerOnce_IsDelivered_OnTheNextAttempt()
    {
        // Long enough for the second, immediate answer to arrive on a loaded machine; the first never does.
        var options = StatusTestKit.Options with { AttemptTimeout = TimeSpan.FromSeconds(3) };
        _server.Then(new Answer(201, Delay: TimeSpan.FromMinutes(5)), new Answer(201));

        Assert.IsType<StatusDelivery.Delivered>(await ReportAsync(ForgeKind.Gitea, options));
    }

    [Fact]
    public async Task ARefusedConnection_IsARetry()
    {
        using var catalog = new ForgeCatalog(_handler, _time, StatusTestKit.Options);
        var target = new StatusTarget("o/r", StatusTestKit.RefusingUrl(), "t", StatusTestKit.Sha);

        var delivery = await catalog.Get(ForgeKind.GitHub).ReportStatusAsync(target, StatusTestKit.Passed, TestContext.Current.CancellationToken);

        var retry = Assert.IsType<StatusDelivery.Retry>(delivery);
        Assert.StartsWith("github could not be reached: ", retry.Reason, StringComparison.Ordinal);
        Assert.Null(retry.After);
    }

    [Fact]
    public async Task WithoutQuickRetries_OneAttemptIsMade()
    {
        _server.Then(new Answer(503), new Answer(201));

        var delivery = await ReportAsync(ForgeKind.GitHub, StatusTestKit.Options with { QuickRetries = 0 });

        Assert.IsType<StatusDelivery.Retry>(delivery);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task TheCallersCancellation_Throws_AndNothingElseDoes()
    {
        _server.Then(new Answer(201, Delay: TimeSpan.FromMinutes(5)));
        using var catalog = new ForgeCatalog(_handler, _time, StatusTestKit.Options);
        using var cancel = new CancellationTokenSource();
        var target = new StatusTarget("o/r", _server.Url, "t", StatusTestKit.Sha);

        var sending = catalog.Get(ForgeKind.GitHub).ReportStatusAsync(target, StatusTestKit.Passed, cancel.Token);
        await _server.FirstRequest.Task.WaitAsync(TestContext.Current.CancellationToken);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task AnHttpClientsOwnTimeout_CountsAsAnAttemptTimeout()
    {
        using var http = new HttpClient(_handler, disposeHandler: false) { Timeout = TimeSpan.FromMilliseconds(300) };
        using var catalog = new ForgeCatalog(http, _time, StatusTestKit.Options with { QuickRetries = 1 });
        _server.Then(Enumerable.Repeat(new Answer(201, Delay: TimeSpan.FromMinutes(5)), 2).ToArray());

        var delivery = await catalog.Get(ForgeKind.GitHub).ReportStatusAsync(
            new StatusTarget("o/r", _server.Url, "t", StatusTestKit.Sha), StatusTestKit.Passed, TestContext.Current.CancellationToken);

        Assert.Equal("github did not answer in time", Assert.IsType<StatusDelivery.Retry>(delivery).Reason);
        Assert.Equal(2, _server.Requests.Count);
    }

    private async Task<StatusDelivery> ReportAsync(ForgeKind forge, StatusSendOptions? options = null)
    {
        using var catalog = new ForgeCatalog(_handler, _time, options ?? StatusTestKit.Options);
        var target = new StatusTarget("owner/repo", _server.Url, "token", StatusTestKit.Sha);
        return await catalog.Get(forge).ReportStatusAsync(target, StatusTestKit.Passed, TestContext.Current.CancellationToken);
    }
}
