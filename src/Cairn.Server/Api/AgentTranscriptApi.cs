using System.Globalization;
using System.Text;
using System.Text.Json;
using Cairn.Core.Access;
using Cairn.Core.Logs;
using Cairn.Core.Planning;
using Cairn.Core.Runs;
using Cairn.Server.Access;
using Cairn.Server.Hosting;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Cairn.Server.Api;

/// <summary>An agent attempt's raw transcript: every line the CLI printed, as the agent executor kept it under the
/// server's <c>DATA/agents</c>, masked line by line with the job's secrets (and the repository's and the server's own
/// credentials) as its log is. Readable by whoever may read the run's log.</summary>
internal static class AgentTranscriptApi
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/runs/{id:long}/jobs/{jobId:long}/agent/transcript", TranscriptAsync).WithName("GetAgentTranscript").ForRunOf(Permission.ReadRuns);

    private static async Task<IResult> TranscriptAsync(
        long id, long jobId, string? attempt, IRunStore store, RunViewContext views, ServerSettings settings, ServerSecretSource secrets,
        HttpResponse response, CancellationToken cancellationToken)
    {
        if (await store.GetJobAsync(jobId, cancellationToken) is not { } job || job.RunId != id
            || await store.GetRunAsync(id, cancellationToken) is not { } run)
        {
            return Problems.NotFound($"run {id} has no job {jobId}");
        }

        var number = job.Attempt;
        if (attempt is not null && (!int.TryParse(attempt, NumberStyles.None, CultureInfo.InvariantCulture, out number) || number < 1))
        {
            return Problems.BadRequest($"attempt: '{attempt}' is not an attempt number (1, 2, …)");
        }

        if (views.Agents is not { } agents || await agents.GetAgentSessionAsync(jobId, number, cancellationToken) is not { } record)
        {
            return Problems.NotFound($"job {jobId} has no agent record for attempt {number}");
        }

        if (record.Report.Transcript is not { Length: > 0 } kept || Inside(Path.Combine(settings.DataDirectory, "agents"), kept) is not { } path)
        {
            return Problems.NotFound($"attempt {number} of job {jobId} kept no transcript on this server");
        }

        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
        }
        catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return Problems.NotFound($"the transcript of attempt {number} of job {jobId} is gone");
        }

        await using (file)
        {
            var masker = await MaskerAsync(run, job, secrets, cancellationToken);
            response.ContentType = path.EndsWith(".jsonl", StringComparison.Ordinal) ? "application/x-ndjson; charset=utf-8" : "text/plain; charset=utf-8";
            using var reader = new StreamReader(file, Encoding.UTF8);
            var batch = new StringBuilder();
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                batch.Append(masker.Mask(line)).Append('\n');
                if (batch.Length >= 32 * 1024)
                {
                    await response.WriteAsync(batch.ToString(), cancellationToken);
                    batch.Clear();
                }
            }

            await response.WriteAsync(batch.ToString(), cancellationToken);
        }

        return Results.Empty;
    }

    /// <summary>The full path of <paramref name="path"/> when it is a plain file (not a link) inside
    /// <paramref name="root"/>, else null: a record naming anything else is not served.</summary>
    internal static string? Inside(string root, string path)
    {
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(path, folder);
        if (!full.StartsWith(folder, StringComparison.Ordinal))
        {
            return null;
        }

        // A link inside the folder could lead out of it: the executor writes plain files.
        for (var at = new FileInfo(full) as FileSystemInfo; at.FullName.Length > folder.Length; at = Directory.GetParent(at.FullName)!)
        {
            if (at.Exists && at.LinkTarget is not null)
            {
                return null;
            }
        }

        return full;
    }

    private static async Task<SecretMasker> MaskerAsync(RunRecord run, JobRecord job, ServerSecretSource secrets, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> declared;
        try
        {
            declared = JobDefinitionJson.Deserialize(job.Definition).Secrets;
        }
        catch (JsonException)
        {
            declared = [];
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in declared)
        {
            if (await secrets.ReadForMaskingAsync(run, name, cancellationToken) is { } value)
            {
                values[name] = value;
            }
        }

        return new SecretMasker(values, await secrets.AlsoMaskAsync(run, cancellationToken));
    }
}
