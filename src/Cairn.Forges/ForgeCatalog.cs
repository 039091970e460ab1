using Cairn.Core.Forges;
using Cairn.Forges.Bitbucket;
using Cairn.Forges.Gitea;
using Cairn.Forges.GitHub;
using Cairn.Forges.GitLab;
using Cairn.Forges.Statuses;

namespace Cairn.Forges;

/// <summary>Every forge Cairn speaks to, sharing one HTTP client, one clock and one way of retrying status posts.</summary>
public sealed class ForgeCatalog : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly IForge[] _forges;

    /// <summary>Forges sending through <paramref name="handler"/>, which stays the caller's to dispose.</summary>
    public ForgeCatalog(HttpMessageHandler handler, TimeProvider timeProvider, StatusSendOptions? options = null)
        : this(new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan }, ownsHttp: true, timeProvider, options)
    {
    }

    /// <summary>Forges sending through <paramref name="http"/>, which stays the caller's. Its own timeout, if any,
    /// counts as an attempt's timeout.</summary>
    public ForgeCatalog(HttpClient http, TimeProvider timeProvider, StatusSendOptions? options = null)
        : this(http, ownsHttp: false, timeProvider, options)
    {
    }

    private ForgeCatalog(HttpClient http, bool ownsHttp, TimeProvider timeProvider, StatusSendOptions? options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _http = http;
        _ownsHttp = ownsHttp;
        var sender = new StatusSender(http, timeProvider, options ?? new StatusSendOptions());
        _forges = [new GitHubForge(sender), new GitLabForge(sender), new GiteaForge(sender), new BitbucketForge(sender)];
    }

    /// <summary>Forges with a client of their own: pooled connections renewed every few minutes (so DNS changes are
    /// seen), no redirects followed (a status post is never meant to be redirected).</summary>
    public static ForgeCatalog Create(TimeProvider timeProvider, StatusSendOptions? options = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        };
        return new ForgeCatalog(new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan }, ownsHttp: true, timeProvider, options);
    }

    public IReadOnlyList<IForge> All => _forges;

    public IForge Get(ForgeKind kind) =>
        _forges.FirstOrDefault(f => f.Kind == kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such forge");

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
