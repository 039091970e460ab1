using Cairn.Core.Engine;
using Cairn.Core.Runners;
using Cairn.Server.Services;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Hosting;

/// <summary>What the process hosting the server brings: its executors (chosen by runner alias), a way to kill every
/// step at once, and the forges.</summary>
public sealed record ServerRuntime(IExecutorResolver Executors, Action KillAllNow, IForgeDirectory Forges)
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The runner aliases jobs may name (their labels go on planned jobs).</summary>
    public RunnerCatalog Runners { get; init; } = RunnerCatalog.BuiltIn;

    /// <summary>How long the status outbox waits before the next attempt after <c>n</c> failed ones (the forge's
    /// Retry-After wins when it sends one). Null: 5 s doubling up to 10 minutes, with jitter.</summary>
    public Func<int, TimeSpan>? StatusBackoff { get; init; }

    /// <summary>How often ended runs older than the retention setting are looked for (at start, then at this interval).</summary>
    public TimeSpan RetentionSweep { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a webhook waits for one of the <see cref="ServerSettings.WebhookConcurrency"/> turns before it is
    /// answered 503. Forges rarely send a delivery again, so it waits a little rather than none; Gitea gives up after 5 s.</summary>
    public TimeSpan WebhookTurnWait { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a webhook's body may take to arrive once its turn came (then 408); forges give up on a delivery
    /// after 5 to 10 s, so only a sender holding the turn on purpose takes longer.</summary>
    public TimeSpan WebhookReadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Adds to the tracer provider (tests add an in-memory exporter); null: nothing.</summary>
    public Action<OpenTelemetry.Trace.TracerProviderBuilder>? Tracing { get; init; }

    /// <summary>Where log output goes; the console by default.</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }

    /// <summary>The pace of Plane's side (tests shorten it); null: <see cref="Trackers.PlanePlanning.Default"/>.</summary>
    public Trackers.PlanePlanning? PlanePlanning { get; init; }
}
