using System.Reflection;
using Cairn.Server.Access;
using Cairn.Server.Dashboard.Components;
using Cairn.Server.Hosting;
using Cairn.Server.Services;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;

namespace Cairn.Server.Dashboard;

/// <summary>The web dashboard: Razor components rendered on the server (no interactive render mode, no circuit), a
/// session cookie for people, anti-forgery on every form, and CSS/JS embedded in this assembly under <c>/assets</c>.</summary>
internal static class DashboardHost
{
    public const string AssetsPath = "/assets";

    public static IServiceCollection AddCairnDashboard(this IServiceCollection services, ServerSettings settings)
    {
        services.AddRazorComponents();
        services.AddCascadingAuthenticationState();
        // The keys that seal the cookie and anti-forgery tokens outlive a restart and are shared by every server on the
        // store, sealed with the master key (DashboardKeyRing).
        services.AddDataProtection().SetApplicationName("cairn");
        services.AddDashboardKeyRing();
        services.AddAuthentication(DashboardSession.Scheme)
            .AddCookie(DashboardSession.Scheme, options =>
            {
                options.Cookie.Name = DashboardSession.CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.SlidingExpiration = true;
                options.ExpireTimeSpan = settings.SessionIdle;
                options.LoginPath = "/login";
                options.LogoutPath = "/logout";
                options.ReturnUrlParameter = DashboardSession.ReturnParameter;
                options.Events.OnRedirectToLogin = RedirectToLogin;
            });
        services.AddAuthorization();
        services.AddSingleton<RepositoryAccess>();
        services.AddSingleton<Artifacts.ArtifactBrowser>();
        services.AddSingleton<TokenCallers>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<AuditVisibility>();
        services.AddSingleton<FailedSignIns>();
        services.AddAntiforgery(options => options.Cookie.Name = "cairn_antiforgery");
        return services;
    }

    /// <summary>Reads the session cookie, finds who calls (<see cref="CallerResolver"/>: a token or the session), and
    /// enforces every endpoint's access rule (<see cref="AccessGate"/>), pages and API alike.</summary>
    public static IApplicationBuilder UseCairnDashboard(this IApplicationBuilder app)
    {
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new AssetFiles(typeof(DashboardHost).Assembly),
            RequestPath = AssetsPath,
            OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.UseAuthentication();
        app.UseMiddleware<CallerResolver>();
        app.UseMiddleware<AccessGate>();
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapCairnDashboard(this WebApplication app)
    {
        app.MapRazorComponents<App>().Add(endpoint =>
        {
            // Blazor's own endpoint for redirects during enhanced navigation only sends the browser to an address the
            // server protected itself; the page it lands on has its own rule.
            if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: "/_framework/opaque-redirect" })
            {
                endpoint.Metadata.Add(new OpenAccessAttribute());
            }
        });
        DashboardActions.Map(app);
        Gates.GatePageActions.Map(app);
        SecretPageActions.Map(app);
        People.PeoplePageActions.Map(app);
        WorkerPageActions.Map(app);
        return app;
    }

    /// <summary>A relative redirect (<c>/login?return=/runs%3Fstatus%3Dfailed</c>): the public URL may differ from the
    /// host the request came in on.</summary>
    private static Task RedirectToLogin(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context)
    {
        var request = context.Request;
        var here = request.PathBase + request.Path + request.QueryString;
        context.Response.Redirect("/login" + QueryString.Create(DashboardSession.ReturnParameter, here));
        return Task.CompletedTask;
    }

    /// <summary>The embedded assets, by file name (the resources are named <c>dashboard/NAME</c>).</summary>
    private sealed class AssetFiles(Assembly assembly) : IFileProvider
    {
        private readonly DateTimeOffset built = File.GetLastWriteTimeUtc(assembly.Location);

        public IFileInfo GetFileInfo(string subpath)
        {
            var name = subpath.TrimStart('/');
            return name.Contains('/', StringComparison.Ordinal) || assembly.GetManifestResourceInfo("dashboard/" + name) is null
                ? new NotFoundFileInfo(name)
                : new AssetFile(assembly, name, built);
        }

        public IDirectoryContents GetDirectoryContents(string subpath) => NotFoundDirectoryContents.Singleton;

        public Microsoft.Extensions.Primitives.IChangeToken Watch(string filter) => NullChangeToken.Singleton;
    }

    private sealed class AssetFile(Assembly assembly, string name, DateTimeOffset modified) : IFileInfo
    {
        public bool Exists => true;

        public long Length
        {
            get
            {
                using var stream = CreateReadStream();
                return stream.Length;
            }
        }

        public string? PhysicalPath => null;

        public string Name => name;

        public DateTimeOffset LastModified => modified;

        public bool IsDirectory => false;

        public Stream CreateReadStream() => assembly.GetManifestResourceStream("dashboard/" + name)!;
    }
}
