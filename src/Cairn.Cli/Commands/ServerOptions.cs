using System.CommandLine;
using Cairn.Cli.Commands.Client;
using Cairn.Cli.Output;

namespace Cairn.Cli.Commands;

/// <summary>What a command that talks to a server works with: the client, where to write, and whether as JSON or in
/// colour.</summary>
internal sealed record ServerSession(ServerClient Client, bool Json, bool Color, TextWriter Out, TextWriter Error, TimeProvider Time)
{
    /// <summary>Prints the server's JSON as it came: one document, ending in a newline.</summary>
    public Task WriteJsonAsync(string json) => Out.WriteLineAsync(json.TrimEnd('\r', '\n'));
}

/// <summary>The options every command that talks to a Cairn server takes, and the one place where what goes wrong
/// between it and the server becomes <c>error:</c> lines and an exit code, never a stack trace.</summary>
internal sealed class ServerOptions
{
    public Option<string?> Server { get; } = new("--server")
    {
        Description = $"The Cairn server (default: $CAIRN_SERVER, else {ServerConnection.DefaultServer})",
        HelpName = "URL",
    };

    public Option<string?> TokenFile { get; } = new("--token-file")
    {
        Description = $"A file holding the API token, - for stdin (default: $CAIRN_TOKEN, else ./{ServerConnection.DefaultTokenFile})",
        HelpName = "FILE",
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the server's JSON answer as it is" };

    /// <summary>Whether stdin is taken by <c>--token-file -</c> (so nothing else may read it).</summary>
    public bool TokenFromStdin(ParseResult parse) => parse.GetValue(TokenFile) == "-";

    public Command AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(TokenFile);
        command.Options.Add(Json);
        return command;
    }

    /// <summary>Connects as the options and environment say, runs <paramref name="call"/>, and turns the server's
    /// problems and unreachability into exit 1, a bad address or token file into exit 2, and an interrupt into 130.</summary>
    public async Task<int> RunAsync(ParseResult parse, Func<ServerSession, CancellationToken, Task<int>> call, CancellationToken cancellation)
    {
        // Answers carry others' text (job output, names, messages); only JSON, which escapes controls, goes out as it came.
        var json = parse.GetValue(Json);
        TextWriter stdout = json ? Console.Out : Terminal.Writer(Terminal.Stream.Output);
        var stderr = Terminal.Writer(Terminal.Stream.Error);
        var errors = new List<string>();
        ServerConnection? connection = null;
        try
        {
            connection = await ServerConnection.ResolveAsync(
                parse.GetValue(Server),
                Environment.GetEnvironmentVariable("CAIRN_SERVER"),
                parse.GetValue(TokenFile),
                Environment.GetEnvironmentVariable("CAIRN_TOKEN"),
                Environment.CurrentDirectory,
                Console.In,
                errors,
                cancellation);
            if (connection is null)
            {
                foreach (var error in errors)
                {
                    await stderr.WriteLineAsync($"error: {error}");
                }

                return ExitCodes.Usage;
            }

            using var client = new ServerClient(connection);
            var session = new ServerSession(client, json, !json && Terminal.SupportsColor(Terminal.Stream.Output), stdout, stderr, TimeProvider.System);
            return await call(session, cancellation);
        }
        catch (ServerProblemException problem)
        {
            await WriteProblemAsync(problem, connection!, stderr);
            return ExitCodes.Failed;
        }
        catch (Exception ex) when (ex is ServerUnreachableException or ServerAnswerException)
        {
            await stderr.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return ExitCodes.Cancelled;
        }
    }

    private static async Task WriteProblemAsync(ServerProblemException problem, ServerConnection connection, TextWriter stderr)
    {
        // A validation problem's detail is often its errors joined; then the errors alone say it, one a line.
        var detailRepeatsErrors = problem.Errors.Count > 0 && (problem.Detail.Length == 0 || problem.Detail == string.Join("; ", problem.Errors));
        if (!detailRepeatsErrors)
        {
            await stderr.WriteLineAsync($"error: {(problem.Detail.Length > 0 ? problem.Detail : $"the server answered {problem.Status}")}");
        }

        foreach (var error in problem.Errors)
        {
            await stderr.WriteLineAsync($"error: {error}");
        }

        if (problem.Status == 401)
        {
            await stderr.WriteLineAsync(connection.Token is null
                ? $"no API token was found: the token is read from {ServerConnection.TokenSearchOrder}; the server writes it to admin.token in its data directory when it first starts"
                : $"the token came from {connection.TokenSource}; it is read from {ServerConnection.TokenSearchOrder}");
        }
    }
}
