using Cairn.Core.Runs;
using Cairn.Server.Api;
using Cairn.Server.Dashboard;
using Cairn.Server.Dashboard.SignIn;
using Cairn.Server.Streaming;
using Cairn.Server.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

using Cairn.Core.Access;
using Cairn.Server.Access;

namespace Cairn.Server.Hosting;

/// <summary>The server's HTTP surface: health, the OpenAPI document, the dashboard, the admin API under
/// <c>/api/v1</c> (with its live streams) and the forges' webhooks.</summary>
internal static class ServerEndpoints
{
    /// <summary>What the endpoints need besides the services: problem answers, the API description, webhook intake and
    /// the shared ends of live streams.</summary>
    public static IServiceCollection AddCairnApi(this IServiceCollection services, ServerSettings settings, ServerRuntime runtime)
    {
        services.AddSingleton(_ => new WebhookIntake(settings, runtime));
        services.AddSingleton<StreamContext>();
        services.AddSingleton<LogTails>();
        services.AddSingleton(provider => new RunViewContext(
            new LocalWorkers(settings.Concurrency, settings.Labels), runtime.Time, provider.GetRequiredService<IRunOverview>(),
            provider.GetRequiredService<Cairn.Core.Workers.IWorkerStore>(), provider.GetRequiredService<Cairn.Core.Repositories.IRepositoryStore>()) {
                PullRequests = provider.GetService<Cairn.Core.Publishing.IPullRequestStore>(),
                Agents = provider.GetService<Cairn.Core.Agents.IAgentSessionStore>(),
                Gates = provider.GetService<Cairn.Core.Gates.IApprovalStore>(),
            });
        services.AddProblemDetails();
        services.AddOpenApi();
        return services;
    }

    public static WebApplication MapCairnEndpoints(this WebApplication app, ServerSettings settings)
    {
        app.MapHealthEndpoints();
        app.MapOpenApi("/openapi/{documentName}.json").Open();
        app.MapCairnDashboard();
        app.MapCairnSignIn(settings);

        var api = app.MapGroup("/api/v1");
        ReposApi.Map(api);
        EventsApi.Map(api);
        RunsApi.Map(api);
        JobLogApi.Map(api);
        AgentTranscriptApi.Map(api);
        ArtifactsApi.Map(api);
        ApprovalsApi.Map(api);
        GatesApi.Map(api);
        SecretsApi.Map(api);
        AuditApi.Map(api);
        SearchApi.Map(api);
        UsersApi.Map(api);
        MembersApi.Map(api);
        TokensApi.Map(api);
        WorkersApi.Map(api);
        Trackers.TrackersApi.Map(api);
        StreamsApi.Map(api);
        Trackers.PlaneWebhookEndpoint.Map(app);
        WebhookEndpoint.Map(app);
        Workers.WorkerProtocolApi.Map(app);
        return app;
    }
}
