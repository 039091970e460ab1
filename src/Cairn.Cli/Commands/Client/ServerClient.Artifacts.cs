namespace Cairn.Cli.Commands.Client;

/// <summary>A run's artifacts: the list, and the bytes of one file or of a job's zip streamed to a file.</summary>
internal sealed partial class ServerClient
{
    /// <summary>The run's artifacts, of every job or of <paramref name="job"/> alone.</summary>
    public Task<Answer<ArtifactsView>> ListArtifactsAsync(long runId, string? job, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"{RunPath(runId)}/artifacts" + Query(("job", job)), null, Json.ArtifactsView, null, cancellationToken);

    /// <summary>Streams all of <paramref name="job"/>'s artifacts, as a zip, into <paramref name="destination"/>.</summary>
    public Task DownloadArtifactZipAsync(long runId, string job, Stream destination, CancellationToken cancellationToken) =>
        DownloadAsync($"{RunPath(runId)}/artifacts/{Uri.EscapeDataString(job)}.zip", destination, cancellationToken);

    /// <summary>Streams one of <paramref name="job"/>'s files into <paramref name="destination"/>.</summary>
    public Task DownloadArtifactFileAsync(long runId, string job, string path, Stream destination, CancellationToken cancellationToken) =>
        DownloadAsync(
            $"{RunPath(runId)}/artifacts/{Uri.EscapeDataString(job)}/files/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}?download=1",
            destination,
            cancellationToken);

    /// <summary>Copies an answer's body to <paramref name="destination"/> as it arrives (never whole in memory). The
    /// answer must start within <see cref="AnswerTimeout"/>; the body may take as long as it takes. A failure to write
    /// the destination is the caller's (an <see cref="IOException"/>), not the server's.</summary>
    private async Task DownloadAsync(string path, Stream destination, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/" + path);
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("*/*");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerTimeout);
        HttpResponseMessage response;
        Stream body;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    throw Problem(HttpMethod.Get, path, response, await response.Content.ReadAsStringAsync(timeout.Token));
                }
            }

            timeout.CancelAfter(Timeout.InfiniteTimeSpan);
            body = await response.Content.ReadAsStreamAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnreachableException(Connection.Display, $"it did not answer within {AnswerTimeout.TotalSeconds:0}s");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new ServerUnreachableException(Connection.Display, Reason(ex));
        }

        using (response)
        await using (body)
        {
            var buffer = new byte[81920];
            while (true)
            {
                int read;
                try
                {
                    read = await body.ReadAsync(buffer, cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException)
                {
                    throw new ServerUnreachableException(Connection.Display, $"the download broke off: {Reason(ex)}");
                }

                if (read == 0)
                {
                    return;
                }

                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
    }
}
