using System.Globalization;
using System.Text;
using Cairn.Core.Access;
using Cairn.Server.Access;
using Cairn.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Cairn.Server.Dashboard.SignIn;

/// <summary>The one place a person coming back from an identity provider becomes a signed-in user: their groups are
/// checked against the allowed ones, their user is found by (source, id at the provider) or made on first sign-in, a
/// disabled user is refused, and a dashboard session is opened with their groups. Every outcome is on the audit log.</summary>
internal sealed partial class ExternalSignIn(IUserStore users, AuditTrail audit, ServerSettings settings, TimeProvider time, ILogger<ExternalSignIn> logger)
{
    /// <summary>The key of the external sign-in's properties that keeps where to go afterwards.</summary>
    public const string ReturnItem = "cairn.return";

    /// <summary>Ends the external cookie's short life and answers with where the person goes next: the page they came
    /// from, signed in, or the sign-in page saying why not.</summary>
    public async Task<IResult> CompleteAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var external = await context.AuthenticateAsync(ExternalPerson.Scheme);
        await context.SignOutAsync(ExternalPerson.Scheme);
        var person = ExternalPerson.From(external.Principal);
        if (!external.Succeeded || person is null)
        {
            return Results.Redirect(SignInFlow.FailedPage(SignInRefusal.Provider));
        }

        var method = person.Source == UserSource.Github ? "github" : "oidc";
        var address = context.Connection.RemoteIpAddress?.ToString();
        var caller = Caller.Anonymous(address);
        if (!Allowed(person))
        {
            SignInRefused(logger, method, person.PreferredName ?? person.Subject, "not in an allowed group");
            await audit.RecordAsync(caller, AuditActions.SignInFailed, null, person.PreferredName ?? person.Subject, AuditOutcomes.Denied, $"{method}: not in an allowed group", cancellationToken);
            return Results.Redirect(SignInFlow.FailedPage(SignInRefusal.NotAllowed));
        }

        var user = await users.GetUserByExternalIdAsync(person.Source, person.Subject, cancellationToken)
            ?? await CreateAsync(person, cancellationToken);
        if (user is null)
        {
            SignInRefused(logger, method, person.PreferredName ?? person.Subject, "no user could be made");
            await audit.RecordAsync(caller, AuditActions.SignInFailed, null, person.PreferredName ?? person.Subject, AuditOutcomes.Failed, $"{method}: no free user name", cancellationToken);
            return Results.Redirect(SignInFlow.FailedPage(SignInRefusal.NoUser));
        }

        if (user.Disabled)
        {
            SignInRefused(logger, method, user.Name, "the user is disabled");
            await audit.RecordAsync(caller, AuditActions.SignInFailed, null, user.Name, AuditOutcomes.Denied, $"{method}: the user is disabled", cancellationToken);
            return Results.Redirect(SignInFlow.FailedPage(SignInRefusal.Disabled));
        }

        await DashboardSession.SignInAsync(context, user, person.Groups, method, null, cancellationToken);
        var signedIn = new Caller
        {
            User = user, UncappedRole = user.Role, Groups = person.Groups, ClientAddress = address, Method = CallerMethod.Session,
        };
        await audit.RecordAsync(signedIn, AuditActions.SignIn, null, user.Name, AuditOutcomes.Ok, method, cancellationToken);
        var wanted = external.Properties?.Items.TryGetValue(ReturnItem, out var item) == true ? item : null;
        return Results.Redirect(DashboardSession.LocalReturn(wanted));
    }

    /// <summary>Whether the person is in one of the groups (OpenID) or organisations (GitHub) allowed to sign in; with
    /// none configured, anyone the provider knows is.</summary>
    private bool Allowed(ExternalPerson person)
    {
        var allowed = person.Source == UserSource.Github ? settings.SignIn.GitHub?.AllowedOrgs : settings.SignIn.Oidc?.AllowedGroups;
        if (allowed is null)
        {
            return false;
        }

        // GitHub's organisation names ignore case; an OpenID provider's group names are taken as they are.
        var comparer = person.Source == UserSource.Github ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        return allowed.Count == 0 || person.Groups.Any(g => allowed.Contains(g, comparer));
    }

    /// <summary>A new user for the person, named after what the provider calls them (made unique with a number when
    /// the name is taken), with the server's default role.</summary>
    private async Task<UserRecord?> CreateAsync(ExternalPerson person, CancellationToken cancellationToken)
    {
        var name = BaseName(person);
        for (var attempt = 1; attempt <= 100; attempt++)
        {
            var candidate = attempt == 1 ? name : Suffixed(name, attempt);
            var created = await users.CreateUserAsync(
                new NewUser(candidate, person.Email, settings.DefaultRole, person.Source, time.GetUtcNow(), person.Subject), cancellationToken);
            if (created is not null)
            {
                UserCreated(logger, created.Name, person.Source);
                return created;
            }

            // Refused: the name is taken, or the same person's first sign-in in another tab made their user a moment ago.
            if (await users.GetUserByExternalIdAsync(person.Source, person.Subject, cancellationToken) is { } theirs)
            {
                return theirs;
            }
        }

        return null;
    }

    /// <summary>The preferred name, else the e-mail's local part, kept to <see cref="UserName"/>'s rule (other
    /// characters become <c>-</c>); <c>user</c> when nothing is left.</summary>
    internal static string BaseName(ExternalPerson person)
    {
        var wanted = person.PreferredName is { Length: > 0 } preferred ? preferred
            : person.Email is { } email && email.IndexOf('@', StringComparison.Ordinal) is > 0 and var at ? email[..at]
            : null;
        if (wanted is not null && UserName.Check(wanted) is null)
        {
            return wanted;
        }

        var cleaned = new StringBuilder();
        foreach (var c in wanted ?? "")
        {
            cleaned.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@' or '+' ? c : '-');
        }

        var name = cleaned.ToString().TrimStart('.', '_', '-', '@', '+');
        name = name.Length > UserName.MaxLength - 4 ? name[..(UserName.MaxLength - 4)] : name;
        return name.Length > 0 && UserName.Check(name) is null ? name : "user";
    }

    private static string Suffixed(string name, int number)
    {
        var suffix = "-" + number.ToString(CultureInfo.InvariantCulture);
        return (name.Length + suffix.Length > UserName.MaxLength ? name[..(UserName.MaxLength - suffix.Length)] : name) + suffix;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Made user {Name} on their first sign-in through {Source}")]
    private static partial void UserCreated(ILogger logger, string name, UserSource source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a sign-in through {Method} of {Who}: {Why}")]
    private static partial void SignInRefused(ILogger logger, string method, string who, string why);
}
