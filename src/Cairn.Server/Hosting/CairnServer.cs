using Cairn.Core.Engine;
using Cairn.Core.Events;
using Cairn.Core.Forges;
using Cairn.Core.Repositories;
using Cairn.Core.Runners;
using Cairn.Core.Runs;
using Cairn.Core.Schedules;
using Cairn.Core.Secrets;
using Cairn.Git;
using Cairn.Server.Api;
using Cairn.Server.Services;
using Cairn.Server.Streaming;
using Cairn.Server.Webhooks;
using Cairn.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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

    /// <summary>Where log output goes; the console by default.</summary>
    public Action<ILoggingBuilder>? Logging { get; init; }
}

/// <summary>Builds <c>cairn server</c>: the store, the admin token, the HTTP API, webhooks and the background services.</summary>
public static class CairnServer
{
    /// <summary>Opens what the server needs and returns the application, not yet started, with what to tell the person
    /// who started it. Throws <see cref="ServerStartException"/> with a plain message when something is wrong.</summary>
    public static async Task<(WebApplication App, IReadOnlyList<string> Notes)> BuildAsync(
        ServerSettings settings, ServerRuntime runtime, bool newAdminToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(runtime);
        var notes = new List<string>();
        var time = runtime.Time;
        try
        {
            if (DataDirectory.Secure(settings.DataDirectory) is { } tightened)
            {
                notes.Add(tightened);
            }

            Workspaces.Prepare(settings.WorkspacesDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ServerStartException($"the data directory {settings.DataDirectory} or the workspaces {settings.WorkspacesDirectory} cannot be made private: {ex.Message}");
        }

        byte[] key;
        var keyText = settings.MasterKeyText ?? Environment.GetEnvironmentVariable(MasterKey.EnvironmentVariable);
        try
        {
            (key, var keySource) = MasterKey.Load(settings.DataDirectory, keyText);
            notes.Add($"master key: {keySource}");
        }
        catch (MasterKeyException ex)
        {
            throw new ServerStartException(ex.Message);
        }

        ICairnStore store;
        try
        {
            if (settings.Store == RunStores.Sqlite)
            {
                DataDirectory.CreatePrivateFile(settings.Connection);
            }

            store = await RunStores.OpenAsync(new StoreSettings(settings.Store, settings.Connection, settings.Lease), time, cancellationToken);
        }
        catch (Exception ex) when (ex is StoreConfigurationException or StoreSchemaException)
        {
            throw new ServerStartException(ex.Message);
        }

        notes.Add($"store: {settings.Store} ({(settings.Store == RunStores.Sqlite ? settings.Connection : "PostgreSQL")})");
        var token = await AdminToken.EnsureAsync(store, settings.DataDirectory, newAdminToken, cancellationToken);
        notes.Add(token.Announcement);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = settings.DataDirectory, Args = [] });
        builder.WebHost.UseUrls([.. settings.Urls]);
        builder.Logging.ClearProviders();
        if (runtime.Logging is { } logging)
        {
            logging(builder.Logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        }

        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(time);
        services.AddSingleton(token);
        services.AddSingleton(store);
        services.AddSingleton<IRunStore>(store);
        services.AddSingleton<IJobQueue>(store);
        services.AddSingleton<IRepositoryStore>(store);
        services.AddSingleton<IEventJournal>(store);
        services.AddSingleton<IStatusOutbox>(store);
        services.AddSingleton<IScheduleStore>(store);
        services.AddSingleton<IServerSettings>(store);
        services.AddSingleton<ISecretStore>(store);
        services.AddSingleton<IAuditLog>(store);
        services.AddSingleton(new RepositorySecrets(new SecretCipher(key)));
        services.AddSingleton(ServerCredentials.Of(key, keyText, settings, ServerCredentials.ReadAdminToken(settings.DataDirectory)));
        services.AddSingleton<ServerSecretSource>();
        services.AddSingleton(runtime.Forges);
        services.AddSingleton<PlanningSignal>();
        services.AddSingleton<RepositoryRegistrations>();
        services.AddSingleton(_ => new WebhookIntake(settings, runtime));
        var coordinator = new RunCoordinator(store, time);
        services.AddSingleton(coordinator);
        services.AddSingleton(runtime.Runners);
        services.AddSingleton<StatusSignal>();
        services.AddSingleton(new StatusBackoff(runtime.StatusBackoff ?? Services.StatusSender.Backoff));
        var mirror = new GitMirror(Path.Combine(settings.DataDirectory, "git"), new GitMirrorOptions { MaxFileBytes = settings.MaxPipelineSize }, time);
        services.AddSingleton(mirror);
        services.AddSingleton<SupersededRuns>();
        services.AddSingleton<RunStarter>();
        services.AddSingleton<RunApprovals>();
        services.AddSingleton(provider => new WorkerServices(
            store, store, coordinator, runtime.Executors,
            new GitWorktreeWorkspaceProvider(mirror, settings.WorkspacesDirectory,
                new StoreRepositoryLocator(store, provider.GetRequiredService<RepositorySecrets>()),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger("Cairn.Workspaces")) { Standalone = true },
            provider.GetRequiredService<ServerSecretSource>(), NullRunObserver.Instance, new RetryPolicy(), time));
        services.AddHostedService<WorkerService>();
        services.AddHostedService<EventPlanner>();
        services.AddHostedService<StatusProjector>();
        services.AddHostedService<Services.StatusSender>();
        services.AddHostedService<Scheduler>();
        services.AddSingleton<ChangeWatch>();
        services.AddHostedService(provider => provider.GetRequiredService<ChangeWatch>());
        services.AddSingleton<StreamContext>();
        services.AddSingleton<LogTails>();
        services.AddSingleton(new RetentionSweep(runtime.RetentionSweep));
        services.AddHostedService<RetentionService>();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Grace + TimeSpan.FromSeconds(15));
        services.AddProblemDetails();
        services.AddOpenApi();

        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(() => store.DisposeAsync().AsTask().GetAwaiter().GetResult());
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = _ => StatusCodes.Status500InternalServerError });
        app.UseStatusCodePages();
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), branch => branch.Use(async (context, next) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
            if (!token.Accepts(presented))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await Problems.Unauthorized(presented is null
                    ? "send the admin token as 'Authorization: Bearer <token>' (it is in the server's data directory, admin.token)"
                    : "the token is not this server's admin token").ExecuteAsync(context);
                return;
            }

            await next(context);
        }));

        app.MapGet("/healthz", () => Results.Text("ok\n")).ExcludeFromDescription();
        app.MapGet("/readyz", async (IRunStore runs, CancellationToken ct) =>
        {
            try
            {
                await runs.GetRunAsync(0, ct);
                return Results.Text("ready\n");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Results.Text($"the store does not answer: {ex.Message}\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).ExcludeFromDescription();
        app.MapOpenApi("/openapi/{documentName}.json");

        // Where commit statuses link. Until there is a dashboard (behind a login) the page says how to see the run,
        // and nothing about it: the link is public, the run may not be.
        app.MapGet("/runs/{id:long}", (long id) => Results.Text(
            $"Cairn run {id}.\nSee it with: cairn show {id} --server {settings.PublicUrl.ToString().TrimEnd('/')}\n"))
            .ExcludeFromDescription();

        var api = app.MapGroup("/api/v1");
        ReposApi.Map(api);
        EventsApi.Map(api);
        RunsApi.Map(api);
        ApprovalsApi.Map(api);
        SecretsApi.Map(api);
        StreamsApi.Map(api);
        WebhookEndpoint.Map(app);
        return (app, notes);
    }
}

/// <summary>The server cannot start; the message says why, in words for the person who started it.</summary>
public sealed class ServerStartException(string message) : Exception(message);
