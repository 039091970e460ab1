using Cairn.Server.Dashboard;
using Cairn.Server.Dashboard.SignIn;
using Cairn.Server.Gates;
using Cairn.Server.Trackers;
using Cairn.Server.Workers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Server.Hosting;

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
        PrepareDirectories(settings, notes);
        var (key, keyText, keyNote) = ServerSecrets.LoadMasterKey(settings);
        notes.Add(keyNote);
        var store = await ServerStore.OpenAsync(settings, runtime.Time, cancellationToken);
        notes.Add(ServerStore.Describe(settings));
        var blobs = ServerArtifacts.Open(settings);
        notes.Add(ServerArtifacts.Describe(blobs));
        var token = await AdminToken.EnsureAsync(store, settings.DataDirectory, newAdminToken, cancellationToken, settings.AdminTokenFile);
        notes.Add(token.Announcement);
        if (await token.BindUserAsync(store, store, runtime.Time, cancellationToken) is { } bound)
        {
            notes.Add(bound);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = settings.DataDirectory, Args = [] });
        builder.WebHost.UseUrls([.. settings.Urls]);

        // A request goes on in the thread-pool item that read its bytes rather than being queued again for each read and
        // write: while jobs keep the pool busy (their pipes, heartbeats and store writes), every such hop waits behind
        // them, and a webhook's answer took two to three times as long. The runtime still reads sockets on the pool
        // (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS is not set), so a slow request holds a pool thread as it would
        // have anyway, never the thread that watches the sockets.
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        builder.AddCairnLogging(runtime.Logging, settings.Telemetry);
        builder.AddCairnMetrics(settings);
        builder.Services
            .AddSingleton(settings)
            .AddSingleton(runtime.Time)
            .AddSingleton(token)
            .AddCairnStore(store)
            .AddCairnArtifacts(settings, store, blobs)
            .AddCairnSecrets(settings, key, keyText)
            .AddRunStarting(settings, runtime)
            .AddCairnWorkers(settings, runtime)
            .AddCairnWorkerProtocol(key)
            .AddCairnBackgroundServices(runtime)
            .AddCairnTrackers(key, runtime)
            .AddGates(store)
            .AddCairnApi(settings, runtime)
            .AddCairnDashboard(settings)
            .AddCairnSignIn(settings)
            .AddCairnTracing(runtime);

        var app = builder.Build();
        app.MapCairnMetrics(settings);
        app.Lifetime.ApplicationStopped.Register(() => store.DisposeAsync().AsTask().GetAwaiter().GetResult());
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = _ => StatusCodes.Status500InternalServerError });
        app.UseStatusCodePages();
        app.UseCairnDashboard();
        app.MapCairnEndpoints(settings);
        return (app, notes);
    }

    /// <summary>Makes the data directory and the workspaces' folder private, noting what had to be tightened.</summary>
    private static void PrepareDirectories(ServerSettings settings, List<string> notes)
    {
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
    }
}
