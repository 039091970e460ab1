using System.Diagnostics;
using System.Globalization;
using Cairn.Core.Engine;
using Cairn.Core.Runs;

namespace Cairn.Workers;

/// <summary>Each job attempt in a fresh directory under <paramref name="root"/> holding the run's commit, fetched from
/// the server's own git mirror with the lease's source token; an empty directory for a run without a repository. The
/// token travels to git only in its environment: never on a command line, in a URL or in <c>.git/config</c>. The
/// executor gives the directory to the step user, as it does any workspace; releasing removes it.</summary>
public sealed class RemoteSourceWorkspace(string root, WorkerConnection connection, RemoteLeases leases, string git = "git") : IWorkspaceProvider
{
    private readonly ScratchWorkspaceProvider _scratch = new(root);

    public async Task<string> PrepareAsync(JobRecord job, RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(run);
        var workspace = await _scratch.PrepareAsync(job, run, cancellationToken);
        var grant = leases.ForJob(job.Id)?.Grant;
        if (grant?.SourcePath is not { } sourcePath || run.Sha is not { Length: > 0 } sha)
        {
            return workspace;
        }

        try
        {
            var url = new Uri(connection.Server, sourcePath).AbsoluteUri;
            var token = grant.SourceToken;
            await GitAsync(workspace, token, cancellationToken, "init", "-q");
            await GitAsync(workspace, token, cancellationToken, "fetch", "--depth", "1", "--no-tags", "--", url, sha);
            await GitAsync(workspace, token, cancellationToken, "-c", "advice.detachedHead=false", "checkout", "-q", "--detach", "FETCH_HEAD");
            return workspace;
        }
        catch
        {
            await _scratch.ReleaseAsync(job, workspace, CancellationToken.None);
            throw;
        }
    }

    public Task ReleaseAsync(JobRecord job, string workspace, CancellationToken cancellationToken) =>
        _scratch.ReleaseAsync(job, workspace, cancellationToken);

    private async Task GitAsync(string directory, string token, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo(git)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_CONFIG_COUNT"] = "1";
        start.Environment["GIT_CONFIG_KEY_0"] = "http.extraHeader";
        start.Environment["GIT_CONFIG_VALUE_0"] = $"Authorization: Bearer {token}";
        using var process = Process.Start(start) ?? throw new IOException("git could not be started");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        await output;
        var said = (await error).Trim();
        if (process.ExitCode != 0)
        {
            var masked = token.Length > 0 ? said.Replace(token, "***", StringComparison.Ordinal) : said;
            throw new IOException(string.Create(
                CultureInfo.InvariantCulture, $"git {arguments[0]} failed (exit {process.ExitCode}): {(masked.Length > 0 ? masked : "no message")}"));
        }
    }
}
