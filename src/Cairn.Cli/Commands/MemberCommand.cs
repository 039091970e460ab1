using System.CommandLine;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn member set|list|remove</c> and <c>cairn team set|list|remove</c>: roles granted on one repository to
/// a user or to a group of their identity provider. A grant raises what someone holds there, never lowers it.</summary>
internal static class MemberCommand
{
    public static Command Members(CancellationToken cancellation) =>
        new("member", "Grant, list and remove users' roles on a repository (for its maintainers)")
        {
            Set(Kind.Member, cancellation),
            List(Kind.Member, cancellation),
            Remove(Kind.Member, cancellation),
        };

    public static Command Teams(CancellationToken cancellation) =>
        new("team", "Grant, list and remove roles on a repository to groups of the identity provider (for its maintainers)")
        {
            Set(Kind.Team, cancellation),
            List(Kind.Team, cancellation),
            Remove(Kind.Team, cancellation),
        };

    private enum Kind
    {
        Member,
        Team,
    }

    private static Command Set(Kind kind, CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var repository = ServerArguments.Repository();
        var who = Who(kind, kind == Kind.Member ? "The user to grant the role to" : "The group (as the identity provider names it) to grant the role to");
        var role = PeopleArguments.Role("The role on this repository", PeopleArguments.Roles);
        var command = server.AddTo(new Command("set", kind == Kind.Member
            ? "Give a user a role on a repository, replacing the one granted before"
            : "Give everyone in a group a role on a repository, replacing the one granted before")
        {
            repository, who, role,
        });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var (repo, name, granted) = (parse.GetValue(repository)!, parse.GetValue(who)!, parse.GetValue(role)!);
            if (kind == Kind.Member)
            {
                var answer = await session.Client.SetMemberAsync(repo, name, granted, cancel);
                await (session.Json ? session.WriteJsonAsync(answer.Json) : session.Out.WriteLineAsync($"{answer.Value.User} is {answer.Value.Role} on {repo}"));
            }
            else
            {
                var answer = await session.Client.SetTeamAsync(repo, name, granted, cancel);
                await (session.Json ? session.WriteJsonAsync(answer.Json) : session.Out.WriteLineAsync($"group {answer.Value.Group} is {answer.Value.Role} on {repo}"));
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command List(Kind kind, CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var repository = ServerArguments.Repository();
        var command = server.AddTo(new Command("list", kind == Kind.Member ? "List the users granted a role on a repository" : "List the groups granted a role on a repository")
        {
            repository,
        });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var repo = parse.GetValue(repository)!;
            string json;
            List<(string Who, string Role)> grants;
            if (kind == Kind.Member)
            {
                var members = await session.Client.ListMembersAsync(repo, cancel);
                (json, grants) = (members.Json, [.. members.Value.Items.Select(m => (m.User, m.Role))]);
            }
            else
            {
                var teams = await session.Client.ListTeamsAsync(repo, cancel);
                (json, grants) = (teams.Json, [.. teams.Value.Items.Select(t => (t.Group, t.Role))]);
            }

            if (session.Json)
            {
                await session.WriteJsonAsync(json);
            }
            else if (grants.Count == 0)
            {
                await session.Out.WriteLineAsync(kind == Kind.Member
                    ? $"no members of {repo} (grant a role with cairn member set {repo} USER ROLE)"
                    : $"no teams on {repo} (grant a role with cairn team set {repo} GROUP ROLE)");
            }
            else
            {
                await session.Out.WriteLineAsync(PeopleViews.Grants(kind == Kind.Member ? "USER" : "GROUP", grants, session.Color));
            }

            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Command Remove(Kind kind, CancellationToken cancellation)
    {
        var server = new ServerOptions();
        var repository = ServerArguments.Repository();
        var who = Who(kind, kind == Kind.Member ? "The user whose grant to remove" : "The group whose grant to remove");
        var command = server.AddTo(new Command("remove", "Remove a grant; what remains is the global role (and other grants)") { repository, who });
        command.SetAction((parse, _) => server.RunAsync(parse, async (session, cancel) =>
        {
            var (repo, name) = (parse.GetValue(repository)!, parse.GetValue(who)!);
            var field = kind == Kind.Member ? "user" : "group";
            await (kind == Kind.Member ? session.Client.RemoveMemberAsync(repo, name, cancel) : session.Client.RemoveTeamAsync(repo, name, cancel));
            await session.Out.WriteLineAsync(session.Json
                ? JsonPages.Done("removed", ("repository", repo), (field, name))
                : $"removed {(kind == Kind.Member ? "" : "group ")}{name}'s grant on {repo}");
            return ExitCodes.Succeeded;
        }, cancellation));
        return command;
    }

    private static Argument<string> Who(Kind kind, string description)
    {
        if (kind == Kind.Member)
        {
            return PeopleArguments.User("USER", description);
        }

        var argument = new Argument<string>("GROUP") { Description = description };
        argument.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var value }] && (value.Length == 0 || value.Contains('/', StringComparison.Ordinal)))
            {
                result.AddError($"'{value}' is not a group name this command can send (empty, or holding '/')");
            }
        });
        return argument;
    }
}
