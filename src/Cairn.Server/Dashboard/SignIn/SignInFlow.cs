using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Dashboard.SignIn;

/// <summary>What both providers' handlers share: their short-lived cookies, the callback address under the public URL,
/// and a failed answer turned into the sign-in page's message instead of an error page.</summary>
internal static partial class SignInFlow
{
    /// <summary>The query parameter of <c>/login</c> that says why a sign-in through a provider did not succeed.</summary>
    public const string FailedParameter = "failed";

    /// <summary>A cookie that only carries a sign-in across the trip to the provider and back: HttpOnly, SameSite=Lax
    /// (the answer is a top-level GET), Secure when the request came over HTTPS; short-lived (the handlers' own
    /// expiry: 15 minutes for correlation, 5 for the external cookie).</summary>
    public static void Tighten(CookieBuilder cookie, string name)
    {
        cookie.Name = name;
        cookie.HttpOnly = true;
        cookie.SameSite = SameSiteMode.Lax;
        cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
    }

    /// <summary><paramref name="path"/> (e.g. /signin/oidc) under the server's public URL.</summary>
    public static string PublicAddress(ServerSettings settings, string path) =>
        new Uri(settings.PublicUrl.AbsoluteUri.EndsWith('/') ? settings.PublicUrl : new Uri(settings.PublicUrl.AbsoluteUri + "/"), path.TrimStart('/')).AbsoluteUri;

    /// <summary>Where a refused or failed sign-in lands: the sign-in page, saying why in words of its own.</summary>
    public static string FailedPage(string reason) => "/login" + QueryString.Create(FailedParameter, reason);

    /// <summary>Logs why the provider's answer was not taken (never the answer itself) and sends the person back to the
    /// sign-in page.</summary>
    public static Task FailAsync(HandleRequestContext<RemoteAuthenticationOptions> context, string scheme, string why)
    {
        var log = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SignInFlow).FullName!);
        ProviderAnswerRefused(log, scheme, why);
        context.Response.Redirect(FailedPage(SignInRefusal.Provider));
        context.HandleResponse();
        return Task.CompletedTask;
    }

    /// <summary>Logs, in one line, that the provider could not be reached when a person asked to sign in through it.</summary>
    public static void LogUnreachable(HttpContext context, string scheme, Exception exception)
    {
        var log = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SignInFlow).FullName!);
        var cause = exception;
        while (cause.InnerException is { } inner)
        {
            cause = inner;
        }

        ProviderUnreachable(log, scheme, cause.Message);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A sign-in through {Scheme} could not start: the provider cannot be reached ({Cause})")]
    private static partial void ProviderUnreachable(ILogger logger, string scheme, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A sign-in through {Scheme} did not complete: {Why}")]
    private static partial void ProviderAnswerRefused(ILogger logger, string scheme, string why);
}
