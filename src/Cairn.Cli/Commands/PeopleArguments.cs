using System.CommandLine;
using Cairn.Core.Access;

namespace Cairn.Cli.Commands;

/// <summary>Arguments of the people commands (users, grants, tokens), checked by the server's own rules before anything
/// is sent.</summary>
internal static class PeopleArguments
{
    /// <summary>The roles a grant on a repository may give.</summary>
    public static readonly string[] Roles = [.. Enum.GetValues<Role>().Select(r => r.ToWire())];

    /// <summary>The global roles a user may hold: the roles, or none.</summary>
    public static readonly string[] GlobalRoles = [.. Roles, RoleNames.None];

    /// <summary>A user's name, as <see cref="UserName"/> has it.</summary>
    public static Argument<string> User(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var value }] && UserName.Check(value) is { } problem)
            {
                result.AddError($"the user's name {problem}");
            }
        });
        return argument;
    }

    /// <summary><c>--user NAME</c>: act on another user's tokens (an admin's power).</summary>
    public static Option<string?> OtherUser(string description)
    {
        var option = new Option<string?>("--user") { Description = description, HelpName = "NAME" };
        option.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var value }] && UserName.Check(value) is { } problem)
            {
                result.AddError($"--user: the user's name {problem}");
            }
        });
        return option;
    }

    /// <summary>ROLE: one of <paramref name="choices"/>.</summary>
    public static Argument<string> Role(string description, string[] choices)
    {
        var argument = new Argument<string>("ROLE") { Description = description, HelpName = string.Join('|', choices) };
        argument.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var value }] && !choices.Contains(value, StringComparer.Ordinal))
            {
                result.AddError($"'{value}' is not a role ({string.Join(", ", choices)})");
            }
        });
        return argument;
    }
}
