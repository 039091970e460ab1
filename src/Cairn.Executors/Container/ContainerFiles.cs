using System.Formats.Tar;
using System.Globalization;
using System.Runtime.ExceptionServices;
using Cairn.Executors.Shell;

namespace Cairn.Executors.Container;

/// <summary>Files in and out of a job's container: a folder under <c>/workspace</c> through the bind-mounted host
/// folder (<see cref="HostDirectoryFiles"/>), any other through the engine's archive API, given to the container's
/// user. Failures are <see cref="IOException"/>s; a refused entry a <see cref="TarEntryRefusedException"/>.</summary>
internal sealed class ContainerFiles(DockerEngineClient engine, JobContainer container, string hostWorkspace)
{
    private const string FallbackHome = "/root";

    private int _uid;
    private int _gid;
    private bool _learned;

    /// <summary>The container user's HOME: <see cref="FallbackHome"/> until <see cref="LearnUserAsync"/> asked.</summary>
    public string Home { get; private set; } = FallbackHome;

    /// <summary>Asks the container once for its user's HOME, uid and gid; keeps the fallbacks when it cannot say. A job
    /// with artifacts or caches asks before its first step; files put in outside the workspace ask first if nobody did.</summary>
    public async Task LearnUserAsync(CancellationToken cancellationToken)
    {
        _learned = true;
        string output;
        try
        {
            (_, output) = await container.CommandAsync(["sh", "-c", "printf '%s\\n' \"$HOME\"; id -u; id -g"], cancellationToken);
        }
        catch (ContainerEngineException)
        {
            // An image without a shell runs no step either; its first step says so.
            return;
        }

        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        if (lines[0].StartsWith('/'))
        {
            Home = lines[0];
        }

        if (lines.Length >= 3
            && int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
            && int.TryParse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
        {
            (_uid, _gid) = (uid, gid);
        }
    }

    public async Task ExtractAsync(string directory, Stream tar, CancellationToken cancellationToken)
    {
        directory = Normalized(directory);
        if (OnHost(directory) is { } host)
        {
            await Host().ExtractAsync(host, tar, cancellationToken);
            return;
        }

        if (!_learned)
        {
            await LearnUserAsync(cancellationToken);
        }

        var content = new ContainerTarContent(tar, directory, _uid, _gid);
        try
        {
            var (code, _) = await container.CommandAsync(["sh", "-c", "mkdir -p -- \"$1\"", "sh", directory], cancellationToken);
            if (code != 0)
            {
                throw new IOException($"could not make folder '{directory}' in the job's container (mkdir exited with {code})");
            }

            await engine.PutArchiveAsync(Id(), directory, content, cancellationToken);
        }
        catch (ContainerEngineException error)
        {
            if (content.Refusal is { } refusal)
            {
                ExceptionDispatchInfo.Throw(refusal);
            }

            throw new IOException($"could not put files into '{directory}' in the job's container: {error.Message}", error);
        }
        finally
        {
            content.Dispose();
        }
    }

    public async Task ArchiveAsync(string directory, IReadOnlyList<string> subpaths, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subpaths);
        directory = Normalized(directory);
        if (OnHost(directory) is { } host)
        {
            await Host().ArchiveAsync(host, subpaths, destination, cancellationToken);
            return;
        }

        var writer = new TarWriter(destination, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer)
        {
            var written = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                foreach (var subpath in subpaths)
                {
                    await WriteSubpathAsync(writer, directory, TarEntryNames.Components(subpath), written, cancellationToken);
                }
            }
            catch (Exception error) when (error is ContainerEngineException or HttpRequestException)
            {
                throw new IOException($"could not read files under '{directory}' from the job's container: {error.Message}", error);
            }
        }
    }

    private async Task WriteSubpathAsync(
        TarWriter writer, string directory, IReadOnlyList<string> parts, HashSet<string> written, CancellationToken cancellationToken)
    {
        var name = string.Join('/', parts);
        var source = parts.Count == 0 ? directory : $"{directory.TrimEnd('/')}/{name}";
        if (parts.Count > 0)
        {
            // The engine follows links on a path's way (inside the container); here a link on the way leaves it out, as on the host.
            for (var i = 1; i < parts.Count; i++)
            {
                if (await engine.StatPathAsync(Id(), $"{directory.TrimEnd('/')}/{string.Join('/', parts.Take(i))}", cancellationToken) is not { IsDir: true, IsSymbolicLink: false })
                {
                    return;
                }
            }

            switch (await engine.StatPathAsync(Id(), source, cancellationToken))
            {
                case null:
                    return;
                case { IsSymbolicLink: true }:
                    // Podman's archive follows a link named by the path itself (Docker's does not).
                    if (written.Add(name))
                    {
                        await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, name)
                        {
                            LinkName = await LinkAsync(source, cancellationToken),
                            Mode = (UnixFileMode)0x1FF,
                        }, cancellationToken);
                    }

                    return;
            }
        }

        using var response = await engine.GetArchiveAsync(Id(), source, cancellationToken);
        if (response is not null)
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using (body)
            {
                await RenameAsync(body, parts, writer, written, cancellationToken);
            }
        }
    }

    // Commands go through sh with the path as an argument, never in the script: minimal images have their tools as
    // applets of the shell, not as files an exec can start.

    /// <summary>The target of the symbolic link at <paramref name="path"/>, as written in it.</summary>
    private async Task<string> LinkAsync(string path, CancellationToken cancellationToken)
    {
        var (code, output) = await container.CommandAsync(["sh", "-c", "readlink -- \"$1\"", "sh", path], cancellationToken);
        return code == 0 && output.TrimEnd('\n') is { Length: > 0 } target
            ? target
            : throw new IOException($"could not read the symbolic link '{path}' in the job's container");
    }

    /// <summary>Copies the engine's tar of one subpath (its entries named from the subpath's last component, or from
    /// the folder's own name for the whole folder) into <paramref name="writer"/>, named relative to the folder.
    /// Folders, files and links only: what else the engine sends is left out.</summary>
    private static async Task RenameAsync(Stream body, IReadOnlyList<string> subpath, TarWriter writer, HashSet<string> written, CancellationToken cancellationToken)
    {
        var prefix = string.Join('/', subpath.Take(subpath.Count - 1));
        var reader = new TarReader(body, leaveOpen: true);
        await using (reader)
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                var parts = TarEntryNames.Components(entry.Name);
                var name = subpath.Count == 0
                    ? string.Join('/', parts.Skip(1))
                    : prefix.Length == 0 ? string.Join('/', parts) : $"{prefix}/{string.Join('/', parts)}";
                TarEntryType? type = entry.EntryType switch
                {
                    TarEntryType.Directory => TarEntryType.Directory,
                    TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => TarEntryType.RegularFile,
                    TarEntryType.SymbolicLink => TarEntryType.SymbolicLink,
                    _ => null,
                };
                if (type is not { } kind || name.Length == 0 || !written.Add(name))
                {
                    continue;
                }

                var copy = new PaxTarEntry(kind, name) { Mode = entry.Mode, ModificationTime = entry.ModificationTime };
                if (kind == TarEntryType.SymbolicLink)
                {
                    copy.LinkName = entry.LinkName;
                }
                else if (kind == TarEntryType.RegularFile)
                {
                    // The copy goes to a pipe or a request body, which cannot seek: the writer takes the length from here.
                    copy.DataStream = entry.DataStream is { } data ? new Core.Artifacts.KnownLengthStream(data, entry.Length) : null;
                }

                await writer.WriteEntryAsync(copy, cancellationToken);
            }
        }
    }

    /// <summary>The host folder behind <paramref name="directory"/> when it lies in the bind-mounted workspace.</summary>
    private string? OnHost(string directory)
    {
        var workspace = ContainerRequests.WorkspacePath;
        if (directory != workspace && !directory.StartsWith(workspace + "/", StringComparison.Ordinal))
        {
            return null;
        }

        var parts = TarEntryNames.Components(directory[workspace.Length..].TrimStart('/'));
        return parts.Count == 0 ? hostWorkspace : Path.Join(hostWorkspace, string.Join('/', parts));
    }

    /// <summary>An absolute path inside the container, written once: <c>//a/./b/</c> is <c>/a/b</c>; <c>..</c> is refused.</summary>
    private static string Normalized(string directory) => directory.StartsWith('/')
        ? "/" + string.Join('/', TarEntryNames.Components(directory.TrimStart('/')))
        : throw new ArgumentException($"'{directory}' is not an absolute path inside the container", nameof(directory));

    private HostDirectoryFiles Host() => new HostDirectoryFiles([hostWorkspace], null);

    private string Id() => container.Id ?? throw new IOException("the job's container is not running");
}
