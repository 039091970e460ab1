using System.CommandLine;
using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn user add|list|set|remove</c>: the people a server knows, and their global role (an admin's
/// commands); and <c>cairn whoami</c>, who the server takes the caller for.</summary>
internal static class UserCommand
{
    public static Command Create(CancellationToken cancellation) =>
        new("user", "Add, list, change and remove the users of a Cairn server (for admins)")
        {
            Add(cancellation),
            List(cancellation),
            Set(cancellation),
            Remove(cancellation),
        };

    public static Command WhoAmI(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var command = server.AddTo(new Command("whoami", "Show who the server takes you for: your name, role, groups and how you signed in"));
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var me = await session.Client.WhoAmIAsync(cancel);
            await (session.Json ? session.WriteJsonAsync(me.Json) : session.Out.WriteLineAsync(PeopleViews.Me(me.Value)));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command Add(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = PeopleArguments.User("NAME", "The user's name: letters, digits and . _ - @ +");
        var role = ServerArguments.OneOf("--role", "Their global role, on every repository (default: the server's default role)", PeopleArguments.GlobalRoles);
        var email = new Option<string?>("--email") { Description = "Their e-mail address", HelpName = "ADDRESS" };
        var command = server.AddTo(new Command("add", "Add a local user (for a team without an identity provider); make them a token with cairn token create --user")
        {
            name, role, email,
        });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var added = await session.Client.AddUserAsync(new UserRequest(parse.GetValue(name)!, parse.GetValue(role), parse.GetValue(email)), cancel);
            await (session.Json ? session.WriteJsonAsync(added.Json) : session.Out.WriteLineAsync(PeopleViews.User(added.Value, "added")));
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command List(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var command = server.AddTo(new Command("list", "List the users the server knows"));
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var page = await session.Client.ListUsersAsync(cancel);
            if (session.Json)
            {
                await session.WriteJsonAsync(page.Json);
            }
            else if (page.Value.Items.Count == 0)
            {
                await session.Out.WriteLineAsync("no users yet (add one with cairn user add NAME)");
            }
            else
            {
                await session.Out.WriteLineAsync(PeopleViews.Users(page.Value.Items, session.Time.GetUtcNow(), session.Color));
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command Set(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = PeopleArguments.User("NAME", "The user to change");
        var role = ServerArguments.OneOf("--role", "Their new global role", PeopleArguments.GlobalRoles);
        var disable = new Option<bool>("--disable") { Description = "Refuse them and their tokens until enabled again; ends their dashboard sessions" };
        var enable = new Option<bool>("--enable") { Description = "Let a disabled user in again" };
        var command = server.AddTo(new Command("set", "Change a user's global role, or disable or enable them") { name, role, disable, enable });
        command.SetAction(async (parse, _) =>
        {
            var (off, on) = (parse.GetValue(disable), parse.GetValue(enable));
            var newRole = parse.GetValue(role);
            if (off && on)
            {
                await Console.Error.WriteLineAsync("error: give --disable or --enable, not both");
                return ExitCodes.Usage;
            }

            if (newRole is null && !off && !on)
            {
                await Console.Error.WriteLineAsync("error: say what to change: --role ROLE, --disable or --enable");
                return ExitCodes.Usage;
            }

            return await server.RunAsync(parse, async (session, cancel) =>
            {
                var change = new UserChangeRequest(newRole, off ? true : on ? false : null);
                var changed = await session.Client.ChangeUserAsync(parse.GetValue(name)!, change, cancel);
                await (session.Json ? session.WriteJsonAsync(changed.Json) : session.Out.WriteLineAsync(PeopleViews.User(changed.Value, "changed")));
                return ExitCodes.Succeeded;
            }, cancellation);
        });
        return command;
    }

    private static Command Remove(CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var name = PeopleArguments.User("NAME", "The user to remove; their tokens are revoked, their grants removed and their sessions ended");
        var command = server.AddTo(new Command("remove", "Remove a user") { name });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var user = parse.GetValue(name)!;
            await session.Client.RemoveUserAsync(user, cancel);
            await session.Out.WriteLineAsync(session.Json ? JsonPages.Done("removed", ("name", user)) : $"removed user {user}");
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }
}
