using System.CommandLine;
using System.Globalization;
using Cairn.Core.Repositories;

namespace Cairn.Cli.Commands;

/// <summary>Arguments of the commands that talk to a server, checked before anything is sent.</summary>
internal static class ServerArguments
{
    /// <summary>A repository's full name, <c>owner/repo</c> (or a GitLab <c>group/sub/project</c>), checked by the
    /// server's own rule before anything is sent.</summary>
    public static Argument<string> Repository(string description = "The repository, as owner/repo")
    {
        var argument = new Argument<string>("owner/repo") { Description = description };
        argument.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var value }] && RepositoryName.Check(value) is { } problem)
            {
                result.AddError(problem);
            }
        });
        return argument;
    }

    /// <summary><c>--repo owner/repo</c>, a filter.</summary>
    public static Option<string?> RepositoryFilter(string description)
    {
        var option = new Option<string?>("--repo") { Description = description, HelpName = "owner/repo" };
        option.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var value }] && RepositoryName.Check(value) is { } problem)
            {
                result.AddError($"--repo: {problem}");
            }
        });
        return option;
    }

    /// <summary>RUN: a run's id, as <c>cairn runs</c> and <c>cairn trigger</c> print it.</summary>
    public static Argument<long> RunId() => new("run")
    {
        Description = "The run's id (the ID column of cairn runs)",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                return id;
            }

            result.AddError($"'{text}' is not a run id (a whole number, as cairn runs shows in its ID column)");
            return 0;
        },
    };

    /// <summary><c>--limit N</c>: how many to list, at most what a server answers in one page.</summary>
    public static Option<int> Limit(int fallback) => CommonArguments.Count("--limit", "-n", $"How many to list, newest first (default {fallback})", 1, () => fallback);

    public static Option<string?> Cursor() => new("--cursor") { Description = "Go on from where a previous list ended (it prints the cursor)", HelpName = "CURSOR" };

    /// <summary>An option that takes one of <paramref name="choices"/>, said in one line when it gets something else.</summary>
    public static Option<string?> OneOf(string name, string description, params string[] choices)
    {
        var option = new Option<string?>(name) { Description = description, HelpName = string.Join('|', choices) };
        option.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var value }] && !choices.Contains(value, StringComparer.Ordinal))
            {
                result.AddError($"{name} takes {string.Join(", ", choices[..^1])} or {choices[^1]}, not '{value}'");
            }
        });
        return option;
    }

}
