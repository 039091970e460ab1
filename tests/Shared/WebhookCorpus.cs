using System.Text.Json;

namespace Cairn.Testing;

/// <summary>The real webhook bodies in <c>shared/corpus/webhooks/</c> and their <c>MANIFEST.json</c>. The folder is
/// looked for beside every folder above the test binaries (a worktree and CI's clone both have <c>shared/</c> beside
/// them), or where <c>CAIRN_WEBHOOK_CORPUS</c> says. Without it a test is skipped on a developer's machine and fails
/// when <c>CI=true</c>, so that CI never passes by feeding nothing.</summary>
internal static class WebhookCorpus
{
    private static readonly Lazy<string?> Found = new(Find);

    /// <summary>The corpus folder; skips or fails the calling test when there is none.</summary>
    public static string Folder()
    {
        if (Found.Value is { } folder)
        {
            return folder;
        }

        var message = "the webhook corpus (shared/corpus/webhooks/MANIFEST.json) was not found beside any folder above "
            + $"{AppContext.BaseDirectory}; set CAIRN_WEBHOOK_CORPUS to its folder";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
        return "";
    }

    /// <summary>The manifest's <c>files</c> entries, each with its <c>file</c>, <c>forge</c>, <c>event_header</c> and
    /// <c>expect</c>.</summary>
    public static IReadOnlyList<JsonElement> Entries()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder(), "MANIFEST.json")));
        return [.. manifest.RootElement.GetProperty("files").EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>The entry for <paramref name="file"/>.</summary>
    public static JsonElement Entry(string file) =>
        Entries().Single(e => e.GetProperty("file").GetString() == file);

    /// <summary>A body exactly as the forge sent it.</summary>
    public static byte[] Body(string file) => File.ReadAllBytes(Path.Combine(Folder(), file));

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("CAIRN_WEBHOOK_CORPUS") is { Length: > 0 } given)
        {
            return File.Exists(Path.Combine(given, "MANIFEST.json")) ? given : null;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "corpus", "webhooks");
            if (File.Exists(Path.Combine(candidate, "MANIFEST.json")))
            {
                return candidate;
            }
        }

        return null;
    }
}
