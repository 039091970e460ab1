using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Tests;

/// <summary>A status received by the loopback forge: the path it was sent to, its headers and its JSON body.</summary>
public sealed record ReceivedStatus(string Path, string? Authorization, string? PrivateToken, JsonElement Body)
{
    public string State => Body.TryGetProperty("state", out var s) ? s.GetString()! : "";

    public string Context => Body.TryGetProperty("context", out var c) ? c.GetString()!
        : Body.TryGetProperty("name", out var n) ? n.GetString()!
        : Body.TryGetProperty("key", out var k) ? k.GetString()! : "";

    public string Description => Body.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "";
}

/// <summary>A Kestrel server on loopback that takes commit statuses the way forges document, records them, and can be
/// told to answer badly for a while (5xx, 429 with Retry-After, slowly).</summary>
public sealed class ForgeApi : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedStatus> received = new();
    private readonly ConcurrentQueue<Func<HttpContext, Task<bool>>> misbehaviours = new();

    private ForgeApi(WebApplication app) => this.app = app;

    public string Url { get; private set; } = "";

    public IReadOnlyList<ReceivedStatus> Statuses => received.ToArray();

    private int requests;

    /// <summary>Every request answered, well or badly.</summary>
    public int Requests => Volatile.Read(ref requests);

    /// <summary>Starts on <paramref name="port"/> (0: any free port; a fixed one to come back where an earlier one was).</summary>
    public static async Task<ForgeApi> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var forge = new ForgeApi(builder.Build());
        forge.app.MapPost("/{**path}", forge.ReceiveAsync);
        await forge.app.StartAsync();
        forge.Url = forge.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return forge;
    }

    /// <summary>The next request is answered with <paramref name="status"/> (and, for 429, a Retry-After of one second).</summary>
    public void AnswerNext(int status, TimeSpan? delay = null) => misbehaviours.Enqueue(async context =>
    {
        if (delay is { } d)
        {
            await Task.Delay(d, context.RequestAborted);
        }

        context.Response.StatusCode = status;
        if (status == 429)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        await context.Response.WriteAsJsonAsync(new { message = $"answered {status} on purpose" });
        return true;
    });

    /// <summary>Waits until statuses matching <paramref name="done"/> have arrived (or fails after a generous while).</summary>
    public Task<IReadOnlyList<ReceivedStatus>> WaitForAsync(Func<IReadOnlyList<ReceivedStatus>, bool> done, TimeSpan? within = null) =>
        Eventually.ValueAsync(
            () => Statuses,
            done,
            "the statuses expected",
            within ?? TimeSpan.FromSeconds(60),
            describe: received => "received " + string.Join(", ", received.Select(s => $"{s.Context}={s.State}")));

    private async Task ReceiveAsync(HttpContext context)
    {
        Interlocked.Increment(ref requests);
        if (misbehaviours.TryDequeue(out var misbehave) && await misbehave(context))
        {
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        received.Enqueue(new ReceivedStatus(
            context.Request.Path.Value!,
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null,
            context.Request.Headers["PRIVATE-TOKEN"].ToString() is { Length: > 0 } p ? p : null,
            body.RootElement.Clone()));
        context.Response.StatusCode = 201;
        await context.Response.WriteAsJsonAsync(new { id = received.Count });
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
