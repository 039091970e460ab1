using System.CommandLine;
using System.Text.Json;
using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn artifacts RUN [--job J]</c>: what a run's jobs kept (a line a job, or one job's files); and
/// <c>cairn artifacts download RUN [--job J] [--path P] [-o DIR]</c>: the files themselves, streamed to disk, each job
/// into a folder of its own, with no path let out of the folder.</summary>
internal static class ArtifactsCommand
{
    public static Command Create(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var run = ServerArguments.RunId();
        var job = Job("Only this job's artifacts: its files, one a line");
        var command = server.AddTo(new Command("artifacts", "List what a run's jobs kept: files, size and when they expire; download them") { run, job });
        command.Subcommands.Add(Download(cancellation));
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var (id, name) = (parse.GetValue(run), parse.GetValue(job));
            var answer = await session.Client.ListArtifactsAsync(id, name, cancel);
            var kept = Select(answer.Value.Artifacts, name);
            if (session.Json)
            {
                await session.WriteJsonAsync(answer.Json);
            }
            else if (kept.Count == 0)
            {
                await session.Out.WriteLineAsync(Nothing(id, name));
            }
            else
            {
                await session.Out.WriteLineAsync(name is null
                    ? ArtifactViews.Jobs(kept, session.Time.GetUtcNow(), session.Color)
                    : ArtifactViews.Files(kept[0], id, session.Color));
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Option<string?> Job(string description) => new("--job") { Description = description, HelpName = "JOB" };

    private static Command Download(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var run = ServerArguments.RunId();
        var job = Job("Only this job's artifacts (default: every job that kept any, each into a folder of its own)");
        var path = new Option<string?>("--path") { Description = "Only this file, or the files under this folder", HelpName = "PATH" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to put them (default: ./artifacts-RUN)", HelpName = "DIR" };
        var command = server.AddTo(new Command("download", "Download a run's artifacts into DIR/JOB/, checking that no path leaves DIR") { run, job, path, output });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var (id, name) = (parse.GetValue(run), parse.GetValue(job));
            var only = parse.GetValue(path)?.Trim('/') is { Length: > 0 } given ? given : null;
            var folder = new ArtifactFolder(parse.GetValue(output) ?? Path.Combine(Environment.CurrentDirectory, $"artifacts-{id}"));
            var kept = Select((await session.Client.ListArtifactsAsync(id, name, cancel)).Value.Artifacts, name);
            if (kept.Count == 0)
            {
                await session.Error.WriteLineAsync($"error: {Nothing(id, name)}");
                return ExitCodes.Failed;
            }

            var done = new List<(string Job, string Folder, int Files, long Bytes)>();
            foreach (var set in kept)
            {
                var into = new ArtifactFolder(Path.Combine(folder.Root, ArtifactFolder.JobFolder(set.Job)));
                try
                {
                    var (files, bytes) = only is not null && set.Files.Any(f => f.Path == only)
                        ? (1, await into.WriteFileAsync(only, s => session.Client.DownloadArtifactFileAsync(id, set.Job, only, s, cancel), cancel))
                        : await into.ExtractZipAsync(s => session.Client.DownloadArtifactZipAsync(id, set.Job, s, cancel), only, cancel);
                    if (files == 0 && only is not null)
                    {
                        // A job without the path gets no folder of its own.
                        RemoveIfEmpty(into.Root);
                        continue;
                    }

                    done.Add((set.Job, into.Root, files, bytes));
                }
                catch (ArtifactPathException refused)
                {
                    await session.Error.WriteLineAsync($"error: job {set.Job}: {refused.Message}");
                    return ExitCodes.Failed;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    await session.Error.WriteLineAsync($"error: cannot write job {set.Job}'s artifacts into {into.Root}: {ex.Message}");
                    return ExitCodes.Failed;
                }
            }

            if (only is not null && done.Count == 0)
            {
                await session.Error.WriteLineAsync($"error: no file or folder {only} in the artifacts of {(name is null ? $"run {id}" : $"job {name}")}");
                return ExitCodes.Failed;
            }

            await session.Out.WriteLineAsync(session.Json ? Summary(done) : string.Join('\n', done.Select(d =>
                $"{d.Job}: {d.Files} file{(d.Files == 1 ? "" : "s")}, {ArtifactViews.Size(d.Bytes)} into {d.Folder}")));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    /// <summary>The jobs that kept anything; with <paramref name="job"/> named, that one alone (the server filters too).</summary>
    private static List<JobArtifactsView> Select(IReadOnlyList<JobArtifactsView> artifacts, string? job) =>
        [.. artifacts.Where(a => job is null || a.Job == job)];

    private static void RemoveIfEmpty(string folder)
    {
        if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
    }

    private static string Nothing(long run, string? job) =>
        job is null ? $"run {run} has no artifacts (none kept, or they expired)" : $"job {job} of run {run} has no artifacts (none kept, no such job, or they expired)";

    private static string Summary(List<(string Job, string Folder, int Files, long Bytes)> done)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("downloaded");
            foreach (var (job, folder, files, bytes) in done)
            {
                json.WriteStartObject();
                json.WriteString("job", job);
                json.WriteString("folder", folder);
                json.WriteNumber("files", files);
                json.WriteNumber("bytes", bytes);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
