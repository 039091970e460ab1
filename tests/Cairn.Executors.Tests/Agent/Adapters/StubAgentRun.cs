using System.Diagnostics;
using Cairn.Core.Agents;
using Cairn.Executors.Agent.Adapters;

namespace Cairn.Executors.Tests.Agent.Adapters;

/// <summary>Runs a stub agent CLI from a bin folder of wrappers, as the executor will: the adapter's arguments, stdin
/// closed, only PATH and HOME in the environment (plus what a test adds), stdout read line by line through the adapter.</summary>
internal sealed class StubAgentRun : IDisposable
{
    private readonly TempDirectory _dir = new();

    public StubAgentRun()
    {
        Bin = StubAgents.CreateBin(_dir.Combine("bin"));
        Home = _dir.Combine("home");
        Work = _dir.Combine("work");
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Work);
        Git("init", "-q", "-b", "main");
        File.WriteAllText(Path.Combine(Work, "README.md"), "readme\n");
        Git("add", "-A");
        Git("-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-q", "-m", "start");
        File.WriteAllText(PromptFile, "Fix the failing test.");
    }

    public string Bin { get; }

    public string Home { get; }

    public string Work { get; }

    public string PromptFile => _dir.Combine("prompt.md");

    public void Scenario(string json) => StubAgents.WriteScenario(Bin, json);

    public AgentInvocation Invocation(bool resume = false, string? session = null, string prompt = "Fix the failing test.", AgentLimits? limits = null) =>
        new(prompt, PromptFile, null, null, ["Read", "Edit"], [], limits ?? AgentLimits.None, session, resume, Work);

    /// <summary>Runs to the end (or, with <paramref name="untilResult"/> or <paramref name="until"/>, until such an event
    /// is read; then it says whether the process still ran, and kills it).</summary>
    public async Task<Outcome> RunAsync(IAgentAdapter adapter, AgentInvocation invocation, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? env = null, bool untilResult = false, IReadOnlyList<string>? extraArguments = null,
        Func<AgentEvent, bool>? until = null)
    {
        var start = new ProcessStartInfo(Path.Combine(Bin, adapter.Program))
        {
            WorkingDirectory = Work,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = $"{Bin}:/usr/bin:/bin";
        start.Environment["HOME"] = Home;
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        foreach (var arg in (extraArguments ?? []).Concat(adapter.Arguments(invocation)))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        var events = new List<AgentEvent>();
        var lines = new List<string>();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                lines.Add(line);
                events.AddRange(adapter.Parse(line));
                until ??= untilResult ? e => e is AgentEvent.Result : null;
                if (until is not null && events.Any(until))
                {
                    var stillRunning = !process.HasExited;
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(timeout.Token);
                    return new Outcome(events, lines, null, "", stillRunning);
                }
            }

            await process.WaitForExitAsync(timeout.Token);
            return new Outcome(events, lines, process.ExitCode, await stderr, false);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    public string GitOutput(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Work, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        var output = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        return output;
    }

    public void Dispose() => _dir.Dispose();

    private void Git(params string[] args) => GitOutput(args);

    internal sealed record Outcome(IReadOnlyList<AgentEvent> Events, IReadOnlyList<string> Lines, int? ExitCode, string Stderr, bool StillRunningAfterResult)
    {
        public AgentEvent.Result? Result => Events.OfType<AgentEvent.Result>().LastOrDefault();
    }
}
