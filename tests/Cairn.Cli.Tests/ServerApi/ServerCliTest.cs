using System.Text.Json;

namespace Cairn.Cli.Tests.ServerApi;

/// <summary>A fake Cairn server and a scratch working directory for each test, and <c>cairn</c> run as a child process
/// pointed at it through <c>CAIRN_SERVER</c> and <c>CAIRN_TOKEN</c>, as a script would.</summary>
public abstract class ServerCliTest : IAsyncLifetime
{
    internal FakeCairnServer Server { get; private set; } = null!;

    internal TempDirectory Dir { get; } = new();

    public async ValueTask InitializeAsync() => Server = await FakeCairnServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }

    internal Task<CairnResult> CairnAsync(params string[] args) => CairnAsync(Env(), args);

    internal Task<CairnResult> CairnAsync(IReadOnlyDictionary<string, string?> env, params string[] args) =>
        CairnProcess.RunAsync(Dir.Path, env, args);

    /// <summary>The environment of a run against the fake; <paramref name="token"/> null leaves <c>CAIRN_TOKEN</c> unset.</summary>
    internal Dictionary<string, string?> Env(string? token = FakeCairnServer.Token) => new()
    {
        ["CAIRN_SERVER"] = Server.Url,
        ["CAIRN_TOKEN"] = token,
    };

    internal static void AssertNoStackTrace(CairnResult result)
    {
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Stdout is exactly one JSON document (and nothing after it); answers it.</summary>
    internal static JsonElement AssertOneJsonDocument(CairnResult result)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(result.Stdout);
        var reader = new Utf8JsonReader(bytes);
        using var document = JsonDocument.ParseValue(ref reader);
        Assert.True(bytes.AsSpan((int)reader.BytesConsumed).Trim(" \r\n"u8).IsEmpty, result.ToString());
        return document.RootElement.Clone();
    }

    internal static JsonElement Body(SeenRequest request)
    {
        using var document = JsonDocument.Parse(request.Body);
        return document.RootElement.Clone();
    }

    internal static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}
