using System.Globalization;
using k8s;

namespace Cairn.Executors.Kubernetes;

/// <summary>Files in and out of a job's running pod as tar streams, through pods/exec in the job container: <c>tar -x</c>
/// fed on standard input, <c>tar -c</c> read from standard output, each behind a small fixed <c>sh</c> script whose only
/// inputs are its arguments (never spliced into it). Also the supervisor's release files (<c>touch</c>) and the steps'
/// home directory. The image needs <c>sh</c> and <c>tar</c>; when it lacks one, the error says so.</summary>
internal sealed class PodFiles(IKubernetes client, PodIdentity pod)
{
    /// <summary>Extracts standard input under <c>$1</c>, made first with the folders on the way.</summary>
    public const string ExtractScript =
        "command -v tar >/dev/null 2>&1 || { echo \"the job's image has no tar, which artifacts and caches need\" >&2; exit 127; }\n"
        + "mkdir -p -- \"$1\" && exec tar -x -f - -C \"$1\"\n";

    /// <summary>Writes a tar of what exists of <c>$2…</c> under <c>$1</c> to standard output (<c>.</c>: everything in it);
    /// nothing at all when none exists.</summary>
    public const string ArchiveScript =
        "command -v tar >/dev/null 2>&1 || { echo \"the job's image has no tar, which artifacts and caches need\" >&2; exit 127; }\n"
        + "d=$1; shift\n"
        + "[ -d \"$d\" ] || exit 0\n"
        + "cd -- \"$d\" || exit 1\n"
        + "c=$#\n"
        + "for p in \"$@\"; do\n"
        + "  if [ \"$p\" = . ]; then\n"
        + "    for f in .[!.]* ..?* *; do if [ -e \"$f\" ] || [ -L \"$f\" ]; then set -- \"$@\" \"$f\"; fi; done\n"
        + "  elif [ -e \"$p\" ] || [ -L \"$p\" ]; then set -- \"$@\" \"$p\"; fi\n"
        + "done\n"
        + "shift \"$c\"\n"
        + "[ \"$#\" -gt 0 ] || exit 0\n"
        + "exec tar -c -f - -- \"$@\"\n";

    private const string HomeScript = "printf %s \"$HOME\"";

    public async Task ExtractAsync(string directory, Stream tar, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tar);
        var result = await RunAsync(["sh", "-c", ExtractScript, "cairn", Absolute(directory)], tar, null, cancellationToken);
        Check(result, $"extracting into {directory}");
    }

    public async Task ArchiveAsync(string directory, IReadOnlyList<string> subpaths, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subpaths);
        ArgumentNullException.ThrowIfNull(destination);
        List<string> command = ["sh", "-c", ArchiveScript, "cairn", Absolute(directory)];
        command.AddRange(subpaths.Select(p => p.Trim('/') is { Length: > 0 } path ? path : "."));
        var result = await RunAsync(command, null, destination, cancellationToken);
        Check(result, $"archiving under {directory}");
        if (result.StdOutBytes == 0)
        {
            // Nothing there: an empty archive, its two zero blocks.
            await destination.WriteAsync(new byte[1024], cancellationToken);
        }
    }

    /// <summary>The steps' <c>$HOME</c> in the job container (<c>/root</c> when unset).</summary>
    public async Task<string> HomeAsync(CancellationToken cancellationToken)
    {
        using var output = new MemoryStream();
        var result = await RunAsync(["sh", "-c", HomeScript], null, output, cancellationToken);
        Check(result, "reading $HOME");
        var home = System.Text.Encoding.UTF8.GetString(output.ToArray()).Trim();
        return home.StartsWith('/') ? home.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/" : "/root";
    }

    /// <summary>Makes the file the supervisor waits for.</summary>
    public async Task ReleaseAsync(string file, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["touch", file], null, null, cancellationToken);
        Check(result, "releasing the supervisor");
    }

    private async Task<PodExec.Result> RunAsync(List<string> command, Stream? stdin, Stream? stdout, CancellationToken cancellationToken)
    {
        try
        {
            return await PodExec.RunAsync(client, pod, KubernetesManifests.JobContainer, command, stdin, stdout, cancellationToken);
        }
        catch (IOException error) when (error.Message.Contains("not found", StringComparison.OrdinalIgnoreCase)
            || error.Message.Contains("no such file", StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException($"the job's image cannot run `{command[0]}` (artifacts and caches need sh and tar in it): {error.Message}", error);
        }
    }

    private static void Check(PodExec.Result result, string what)
    {
        if (result.ExitCode != 0)
        {
            var said = result.StdErr.Length > 0 ? result.StdErr : result.Message;
            throw new IOException(string.Create(CultureInfo.InvariantCulture,
                $"{what} in the job's pod failed (exit code {result.ExitCode}){(said.Length > 0 ? ": " + said : "")}"));
        }
    }

    private static string Absolute(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!directory.StartsWith('/'))
        {
            throw new ArgumentException($"'{directory}' is not an absolute path inside the job's pod", nameof(directory));
        }

        return directory;
    }
}
