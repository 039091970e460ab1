using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Cairn.Testing;

/// <summary>s3rver, an S3 stand-in, on a free loopback port over a temp folder, with one bucket made; killed on dispose.
/// Start it in tests marked <see cref="S3FactAttribute"/>.</summary>
public sealed partial class S3rver : IAsyncDisposable
{
    /// <summary>s3rver's one built-in key pair.</summary>
    public const string AccessKeyId = "S3RVER";

    public const string SecretAccessKey = "S3RVER";

    private readonly Process _process;
    private readonly TempDirectory _folder;

    private S3rver(Process process, TempDirectory folder, Uri endpoint, string bucket)
    {
        _process = process;
        _folder = folder;
        Endpoint = endpoint;
        Bucket = bucket;
    }

    /// <summary>Where it listens, <c>http://127.0.0.1:PORT</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The bucket it made at start.</summary>
    public string Bucket { get; }

    public static async Task<S3rver> StartAsync(CancellationToken cancellationToken)
    {
        var executable = Path.Combine(
            Engines.S3rverDirectory ?? throw new InvalidOperationException(Engines.S3rverMissing), "node_modules", ".bin", "s3rver");
        var folder = new TempDirectory();
        var bucket = "cairn-test";
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-d", folder.Path, "-a", "127.0.0.1", "-p", "0", "-s", "--configure-bucket", bucket })
        {
            start.ArgumentList.Add(argument);
        }

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { } text && Listening().Match(text) is { Success: true } match)
            {
                listening.TrySetResult(new Uri($"http://127.0.0.1:{match.Groups[1].Value}"));
            }
        };
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is { } text)
            {
                errors.Enqueue(text);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("s3rver ended: " + string.Join('\n', errors)));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var endpoint = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return new S3rver(process, folder, endpoint, bucket);
        }
        catch
        {
            Stop(process);
            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
        _folder.Dispose();
    }

    private static void Stop(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has already ended.
        }
    }

    [GeneratedRegex(@"listening on [^\s]+:(\d+)")]
    private static partial Regex Listening();
}
