namespace Cairn.Cli.Commands.Client;

/// <summary>One Server-Sent Event: its id (when it has one), its type (<c>message</c> unless named), and its data.</summary>
internal sealed record ServerEvent(string? Id, string Type, string Data);

/// <summary>An open Server-Sent Events answer, read event by event. Comments (the server's keep-alives) are skipped but
/// count as signs of life: a stream silent for longer than the idle limit is taken as dropped.</summary>
internal sealed class EventStream(HttpResponseMessage response, Stream body) : IDisposable
{
    private readonly StreamReader _reader = new(body);

    /// <summary>The next event; null when the server ended the stream. Throws <see cref="TimeoutException"/> when
    /// nothing at all came for <paramref name="idle"/>, and <see cref="IOException"/> or
    /// <see cref="HttpRequestException"/> when the connection broke.</summary>
    public async Task<ServerEvent?> NextAsync(TimeSpan idle, CancellationToken cancellationToken)
    {
        string? id = null;
        string? type = null;
        List<string>? data = null;
        while (true)
        {
            var line = await ReadLineAsync(idle, cancellationToken);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                if (data is not null)
                {
                    return new ServerEvent(id, type ?? "message", string.Join('\n', data));
                }

                id = null;
                type = null;
                continue;
            }

            if (line[0] == ':')
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    type = value;
                    break;
                case "data":
                    (data ??= []).Add(value);
                    break;
            }
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        response.Dispose();
    }

    private async Task<string?> ReadLineAsync(TimeSpan idle, CancellationToken cancellationToken)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        quiet.CancelAfter(idle);
        try
        {
            return await _reader.ReadLineAsync(quiet.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"nothing came for {idle.TotalSeconds:0}s");
        }
    }
}
