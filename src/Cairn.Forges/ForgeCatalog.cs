using Cairn.Core.Forges;
using Cairn.Core.Publishing;
using Cairn.Forges.Bitbucket;
using Cairn.Forges.Gitea;
using Cairn.Forges.GitHub;
using Cairn.Forges.GitLab;
using Cairn.Forges.PullRequests;
using Cairn.Forges.Statuses;
using Microsoft.Extensions.DependencyInjection;

namespace Cairn.Forges;

/// <summary>Every forge Cairn speaks to, sharing one HTTP client (<see cref="ForgeHttp"/>), one clock and one way of
/// retrying status posts.</summary>
public sealed class ForgeCatalog : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly IForge[] _forges;
    private readonly Dictionary<ForgeKind, IPullRequestForge> _pullRequests;

    /// <summary>Forges sending through <paramref name="handler"/>, which stays the caller's to dispose.</summary>
    public ForgeCatalog(HttpMessageHandler handler, TimeProvider timeProvider, StatusSendOptions? options = null)
        : this(() => new KeptHandler(handler), timeProvider, options)
    {
        ArgumentNullException.ThrowIfNull(handler);
    }

    /// <summary>Forges sending through <paramref name="http"/>, which stays the caller's. Its own timeout, if any,
    /// counts as an attempt's timeout.</summary>
    public ForgeCatalog(HttpClient http, TimeProvider timeProvider, StatusSendOptions? options = null)
        : this(() => new CallerClientHandler(http), timeProvider, options)
    {
        ArgumentNullException.ThrowIfNull(http);
    }

    private ForgeCatalog(Func<HttpMessageHandler> primary, TimeProvider timeProvider, StatusSendOptions? options)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var sendOptions = options ?? new StatusSendOptions();
        var services = new ServiceCollection();
        services.AddSingleton(timeProvider);
        services.AddForgeHttpClient(sendOptions, primary);
        _services = services.BuildServiceProvider();
        var sender = new StatusPoster(_services.GetRequiredService<IHttpClientFactory>(), timeProvider, sendOptions);
        _forges = [new GitHubForge(sender), new GitLabForge(sender), new GiteaForge(sender), new BitbucketForge(sender)];
        var client = new PullRequestClient(_services.GetRequiredService<IHttpClientFactory>(), timeProvider);
        _pullRequests = new()
        {
            [ForgeKind.GitHub] = new GitHubPullRequests(client),
            [ForgeKind.GitLab] = new GitLabMergeRequests(client),
            [ForgeKind.Gitea] = new GiteaPullRequests(client),
            [ForgeKind.Bitbucket] = new BitbucketPullRequests(client),
        };
    }

    /// <summary>Forges with a client of their own: pooled connections renewed every few minutes (so DNS changes are
    /// seen), no redirects followed (a status post is never meant to be redirected).</summary>
    public static ForgeCatalog Create(TimeProvider timeProvider, StatusSendOptions? options = null) =>
        new(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false }, timeProvider, options);

    public IReadOnlyList<IForge> All => _forges;

    public IForge Get(ForgeKind kind) =>
        _forges.FirstOrDefault(f => f.Kind == kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such forge");

    /// <summary>The pull request API of <paramref name="kind"/>, on the same client as its statuses.</summary>
    public IPullRequestForge PullRequests(ForgeKind kind) =>
        _pullRequests.TryGetValue(kind, out var forge) ? forge : throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such forge");

    public void Dispose() => _services.Dispose();
}
