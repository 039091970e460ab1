using System.Globalization;
using Cairn.Cli.Commands.Client;

namespace Cairn.Cli.Output;

/// <summary>Users, who the caller is, repository grants and API tokens as text: tables to list, a line to confirm.</summary>
internal static class PeopleViews
{
    public static string User(UserView user, string verb) =>
        $"{verb} user {user.Name} (role {user.Role}{(user.Email is { Length: > 0 } email ? $", {email}" : "")}{(user.Disabled ? ", disabled" : "")})";

    public static string Users(IReadOnlyList<UserView> users, DateTimeOffset now, bool color)
    {
        var table = new TextTable("NAME", "ROLE", "SOURCE", "EMAIL", "STATE", "ADDED");
        foreach (var user in users)
        {
            table.Add(
                user.Disabled ? "2" : null,
                user.Name, user.Role, user.Source, user.Email ?? "-", user.Disabled ? "disabled" : "active", ServerViews.Age(user.CreatedAt, now));
        }

        return table.Render(color);
    }

    public static string Me(MeView me)
    {
        var lines = new List<string> { $"{me.Name ?? "(no user)"} (role {me.Role}{(me.Source is { } source ? $", {source}" : "")})" };
        lines.Add(me.Method switch
        {
            "token" => $"signed in with token {me.TokenName ?? "?"} (scopes {string.Join(", ", me.Scopes ?? [])})",
            "admin-token" => "signed in with the server's admin token",
            "session" => "signed in to the dashboard",
            var other => $"signed in by {other}",
        });
        if (me.Groups.Count > 0)
        {
            lines.Add($"groups: {string.Join(", ", me.Groups)}");
        }

        return string.Join('\n', lines);
    }

    /// <summary>A repository's grants, to users or to groups (<paramref name="heading"/>: USER or GROUP).</summary>
    public static string Grants(string heading, IEnumerable<(string Who, string Role)> grants, bool color)
    {
        var table = new TextTable(heading, "ROLE");
        foreach (var (who, role) in grants)
        {
            table.Add(null, who, role);
        }

        return table.Render(color);
    }

    public static string Tokens(IReadOnlyList<TokenView> tokens, DateTimeOffset now, bool color)
    {
        var table = new TextTable("ID", "NAME", "SCOPES", "CREATED", "EXPIRES", "LAST USED", "STATE");
        foreach (var token in tokens)
        {
            var state = token.RevokedAt is not null ? "revoked" : token.ExpiresAt is { } expires && expires <= now ? "expired" : "active";
            table.Add(
                state == "active" ? null : "2",
                token.Id,
                token.Name,
                string.Join(',', token.Scopes),
                ServerViews.Age(token.CreatedAt, now),
                token.ExpiresAt is { } at ? When(at) : "never",
                token.LastUsedAt is { } used ? ServerViews.Age(used, now) : "never",
                state);
        }

        return table.Render(color);
    }

    public static string When(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
