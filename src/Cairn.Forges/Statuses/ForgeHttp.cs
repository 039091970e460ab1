using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace Cairn.Forges.Statuses;

/// <summary>The one place the forges' HTTP client is set up: a named client of <see cref="IHttpClientFactory"/> whose
/// resilience handler (Microsoft.Extensions.Http.Resilience) gives each status post a few quick retries with
/// exponential backoff and jitter, honouring a short Retry-After, and each attempt its own timeout.</summary>
public static class ForgeHttp
{
    /// <summary>The name of the forges' client in the factory.</summary>
    public const string ClientName = "cairn-forges";

    /// <summary>Registers the forges' client, sending through what <paramref name="primary"/> makes, with the retries and
    /// timeouts of <paramref name="options"/>, timed by the <see cref="TimeProvider"/> registered (else the system's).</summary>
    public static IHttpClientBuilder AddForgeHttpClient(this IServiceCollection services, StatusSendOptions options, Func<HttpMessageHandler> primary)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(primary);
        var builder = services.AddHttpClient(ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(primary);
        builder.AddResilienceHandler("status-post", (pipeline, context) =>
        {
            var time = context.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
            pipeline.TimeProvider = time;
            if (options.QuickRetries > 0)
            {
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.QuickRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.FirstRetryDelay,
                    MaxDelay = options.LongestRetryDelay,
                    ShouldRetryAfterHeader = false,
                    ShouldHandle = args => ValueTask.FromResult(IsWorthAQuickRetry(args.Outcome, options, time, args.Context.CancellationToken)),
                    // The forge's own wait when it gave one (Retry-After, GitHub's rate-limit reset); else the backoff.
                    DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } response ? ForgeAnswers.RetryAfter(response, time.GetUtcNow()) : null),
                });
            }

            pipeline.AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.AttemptTimeout });
        });
        return builder;
    }

    private static bool IsWorthAQuickRetry(Outcome<HttpResponseMessage> outcome, StatusSendOptions options, TimeProvider time, CancellationToken callerToken) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,

        // HttpClient's own timeout, when the caller's client has one.
        { Exception: OperationCanceledException } => !callerToken.IsCancellationRequested,
        { Exception: not null } => false,
        { Result: { } response } when ForgeAnswers.IsTransient(response) =>
            ForgeAnswers.RetryAfter(response, time.GetUtcNow()) is not { } wait || wait <= options.LongestRetryDelay,
        _ => false,
    };
}
