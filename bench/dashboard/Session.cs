using System.Net;
using Cookie = System.Net.Cookie;
using Microsoft.Playwright;

namespace Cairn.Bench.Dashboard;

/// <summary>A dashboard session made the way a person makes one (the admin token pasted at /login), shared by the browser
/// contexts and by the HTTP client that times the pages.</summary>
internal sealed class Session
{
    private readonly string _server;
    private string? _state;

    private Session(string server) => _server = server;

    public Cookie? Cookie { get; private set; }

    public static async Task<Session> SignInAsync(IBrowser browser, string server, string token)
    {
        var session = new Session(server);
        var context = await session.ContextAsync(browser);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#token", token);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/login", StringComparison.Ordinal));
        session._state = await context.StorageStateAsync();
        var cookie = (await context.CookiesAsync()).Single(c => c.Name == "cairn_session");
        session.Cookie = new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain);
        await context.CloseAsync();
        return session;
    }

    public async Task<IBrowserContext> ContextAsync(IBrowser browser)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _server,
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            StorageState = _state,
        });
        context.SetDefaultTimeout(60_000);
        return context;
    }

    /// <summary>An HTTP client that carries the session's cookie and follows no redirect (a page that sends to /login fails).</summary>
    public HttpClient Client()
    {
        var cookies = new CookieContainer();
        cookies.Add(new Uri(_server), new Cookie(Cookie!.Name, Cookie.Value, "/"));
        return new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(_server),
        };
    }
}
