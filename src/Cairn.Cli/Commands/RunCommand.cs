using System.CommandLine;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary><c>cairn run [PATH]</c>: runs the whole pipeline here, as a manual event, with the same engine as the server.</summary>
internal static class RunCommand
{
    public static Command Create(CancellationToken cancellation, CancellationToken kill)
    {
        var path = CommonArguments.PipelinePath();
        var job = new Option<string?>("--job") { Description = "Run only this job (a job key or a matrix job's full name) and the jobs it needs" };
        var parallel = CommonArguments.Count("--parallel", "-p", "How many jobs may run at once", 1, () => Environment.ProcessorCount);
        var env = new Option<string[]>("--env", "-e") { Description = "Set NAME=VALUE for every step, over the pipeline's own env", Arity = ArgumentArity.ZeroOrMore };
        var input = new Option<string[]>("--input", "-i") { Description = "Give the manual input NAME the value VALUE", Arity = ArgumentArity.ZeroOrMore };
        var secret = new Option<string[]>("--secret", "-s") { Description = "Give the secret NAME the value VALUE (masked in the output)", Arity = ArgumentArity.ZeroOrMore };
        var secretsFile = new Option<string?>("--secrets-file")
        {
            Description = "Read secrets from a dotenv file (KEY=VALUE lines, # comments, quotes); --secret wins over it",
            HelpName = "FILE",
        };
        var json = new Option<bool>("--json") { Description = "Print logs on stderr and one JSON summary on stdout" };
        var runners = new Option<string?>("--runners") { Description = "A runner file: the aliases a job's runner: names (see docs/pipeline-syntax.md)" };
        var executor = ExecutorOption();
        var cleanEnv = new Option<bool>("--clean-env")
        {
            Description = "Give steps only what a server gives them (PATH, a fresh HOME, LANG, TZ, USER, the CAIRN_* and the job's variables), not your environment",
        };

        var approve = new Option<bool>("--approve")
        {
            Description = "Approve every approval gate as yourself; without it a gate asks at the terminal, or is rejected when there is none",
        };

        var command = new Command("run", "Run a pipeline on this machine") { path, job, parallel, env, input, secret, secretsFile, json, runners, executor, cleanEnv, approve };
        command.SetAction(async (parse, _) =>
        {
            var errors = new List<string>();
            var secrets = parse.GetValue(secretsFile) is { } file
                ? new Dictionary<string, string>(await DotenvFile.ReadAsync(file, errors, cancellation), StringComparer.Ordinal)
                : new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, value) in KeyValueOption.Parse("--secret", parse.GetValue(secret), errors))
            {
                secrets[name] = value;
            }

            var request = new LocalRunRequest(
                parse.GetValue(path)!,
                parse.GetValue(job),
                parse.GetValue(parallel),
                KeyValueOption.Parse("--env", parse.GetValue(env), errors),
                KeyValueOption.Parse("--input", parse.GetValue(input), errors),
                secrets,
                parse.GetValue(json),
                parse.GetValue(runners),
                parse.GetValue(executor),
                parse.GetValue(cleanEnv),
                parse.GetValue(approve));
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await Console.Error.WriteLineAsync($"error: {error}");
                }

                return ExitCodes.Usage;
            }

            // Job output and names go to the console cleaned of control sequences; the JSON summary as it is.
            TextWriter stdout = request.Json ? Console.Out : Terminal.Writer(Terminal.Stream.Output);
            return await LocalRun.ExecuteAsync(request, stdout, Terminal.Writer(Terminal.Stream.Error), cancellation, kill);
        });
        return command;
    }

    private static Option<ExecutorMode> ExecutorOption() => new("--executor")
    {
        Description = "auto: each job where its runner says (the shell, or a container for jobs with an image); shell: every job on this host; container: every job in a container",
        DefaultValueFactory = _ => ExecutorMode.Auto,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            switch (text)
            {
                case "auto":
                    return ExecutorMode.Auto;
                case "shell":
                    return ExecutorMode.Shell;
                case "container":
                    return ExecutorMode.Container;
                default:
                    result.AddError($"--executor takes auto, shell or container, not '{text}'");
                    return ExecutorMode.Auto;
            }
        },
    };
}
