using System.Runtime.CompilerServices;

namespace Cairn.Testing;

/// <summary>A fact that checks a compose file with a real compose: Debian's <c>docker-compose</c> on PATH
/// (apt-get install docker-compose; its <c>config</c> needs no engine). Debian's podman-compose has no <c>config</c>.</summary>
public sealed class DockerComposeFactAttribute : FactAttribute
{
    public DockerComposeFactAttribute([CallerFilePath] string? sourceFilePath = null, [CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (Program is null)
        {
            Skip = "needs docker-compose (apt-get install docker-compose): its config command checks deploy/compose/compose.yml";
        }
    }

    /// <summary>The docker-compose on PATH, or null.</summary>
    public static string? Program =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, "docker-compose"))
            .FirstOrDefault(File.Exists);
}
