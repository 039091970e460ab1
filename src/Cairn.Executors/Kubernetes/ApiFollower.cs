namespace Cairn.Executors.Kubernetes;

/// <summary>A loop that follows something of the API (a pod's versions, its events, its log) in the background from
/// <see cref="Start"/> until it is disposed: disposing stops it and waits for it to end (a second dispose does nothing).</summary>
internal abstract class ApiFollower : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    public void Start() => _loop = Task.Run(() => FollowAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        _stop.Dispose();
    }

    /// <summary>Follows until <paramref name="cancellationToken"/> fires or there is nothing more to follow.</summary>
    protected abstract Task FollowAsync(CancellationToken cancellationToken);
}
