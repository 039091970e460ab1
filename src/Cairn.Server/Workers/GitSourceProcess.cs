using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Cairn.Server.Workers;

/// <summary>Runs <c>git upload-pack --stateless-rpc</c> on a repository's mirror for one request: the request's body as
/// its input, its output streamed to the response. git is killed when the request is aborted.</summary>
internal static class GitSourceProcess
{
    /// <summary>The most bytes of a fetch's request (its wants and haves, after gunzip) a server takes.</summary>
    public const long MaxRequestBytes = 32L << 20;

    public static async Task RunAsync(string mirror, string home, bool advertise, string? protocol, Stream? input, HttpResponse response, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Any commit of the mirror may be asked for by its id: a run's commit need not be a branch's tip any more.
        foreach (var argument in new[] { "-c", "uploadpack.allowAnySHA1InWant=true", "upload-pack", "--stateless-rpc" })
        {
            start.ArgumentList.Add(argument);
        }

        if (advertise)
        {
            start.ArgumentList.Add("--advertise-refs");
        }

        start.ArgumentList.Add(mirror);
        start.Environment["HOME"] = home;
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment.Remove("GIT_PROTOCOL");
        if (protocol is not null)
        {
            start.Environment["GIT_PROTOCOL"] = protocol;
        }

        Directory.CreateDirectory(home);
        using var git = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        await using var kill = cancellationToken.Register(() => Kill(git));
        var errors = git.StandardError.ReadToEndAsync(CancellationToken.None);
        var feeding = FeedAsync(git, input, cancellationToken);
        try
        {
            await git.StandardOutput.BaseStream.CopyToAsync(response.Body, cancellationToken);
            await feeding;
            await git.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            Kill(git);
            await errors;
        }
    }

    private static async Task FeedAsync(Process git, Stream? input, CancellationToken cancellationToken)
    {
        try
        {
            if (input is not null)
            {
                var buffer = new byte[81920];
                long total = 0;
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    total += read;
                    if (total > MaxRequestBytes)
                    {
                        throw new BadHttpRequestException("the fetch request is too big", StatusCodes.Status413PayloadTooLarge);
                    }

                    await git.StandardInput.BaseStream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }
        }
        catch (IOException)
        {
            // git stopped reading: it has said what it had to on its output, or failed there.
        }
        finally
        {
            try
            {
                git.StandardInput.Close();
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Kill(Process git)
    {
        try
        {
            if (!git.HasExited)
            {
                git.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
