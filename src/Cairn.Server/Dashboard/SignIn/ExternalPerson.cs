using System.Security.Claims;
using Cairn.Core.Access;

namespace Cairn.Server.Dashboard.SignIn;

/// <summary>Who an identity provider says signed in, as both providers' handlers leave it in the short-lived external
/// cookie: where they came from, their id there, the name and e-mail they go by, and their groups.</summary>
/// <param name="Subject">Their id at the provider (the OpenID <c>sub</c>, GitHub's numeric id): what finds their user again.</param>
/// <param name="PreferredName">The name to give a new user (preferred_username, GitHub's login), when there is one.</param>
internal sealed record ExternalPerson(UserSource Source, string Subject, string? PreferredName, string? Email, IReadOnlyList<string> Groups)
{
    /// <summary>The cookie scheme that holds a person between the provider's answer and their Cairn session (minutes).</summary>
    public const string Scheme = "cairn.external";

    private const string SourceClaim = "cairn:source";
    private const string SubjectClaim = "cairn:subject";
    private const string NameClaim = "cairn:name";
    private const string EmailClaim = "cairn:email";
    private const string GroupClaim = "cairn:group";

    public ClaimsPrincipal ToPrincipal(string authenticationType)
    {
        var claims = new List<Claim> { new(SourceClaim, Source.ToString()), new(SubjectClaim, Subject) };
        if (PreferredName is { Length: > 0 })
        {
            claims.Add(new Claim(NameClaim, PreferredName));
        }

        if (Email is { Length: > 0 })
        {
            claims.Add(new Claim(EmailClaim, Email));
        }

        claims.AddRange(Groups.Select(g => new Claim(GroupClaim, g)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType));
    }

    /// <summary>The person in <paramref name="principal"/>, or null when it does not hold one.</summary>
    public static ExternalPerson? From(ClaimsPrincipal? principal)
    {
        if (principal?.FindFirst(SourceClaim)?.Value is not { } sourceText
            || !Enum.TryParse<UserSource>(sourceText, out var source)
            || principal.FindFirst(SubjectClaim)?.Value is not { Length: > 0 } subject)
        {
            return null;
        }

        return new ExternalPerson(
            source,
            subject,
            principal.FindFirst(NameClaim)?.Value,
            principal.FindFirst(EmailClaim)?.Value,
            [.. principal.FindAll(GroupClaim).Select(c => c.Value).Distinct(StringComparer.Ordinal)]);
    }
}
