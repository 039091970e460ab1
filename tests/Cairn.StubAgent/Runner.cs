using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Cairn.StubAgent;

/// <summary>Plays a <see cref="Script"/> through a <see cref="Protocol"/>.</summary>
internal static class Runner
{
    public static int Play(Script script, Protocol protocol)
    {
        protocol.Started();
        var tools = 0;
        var retries = 0;
        Step? result = null;
        foreach (var step in script.Steps)
        {
            if (step.Result is not null)
            {
                protocol.Result(step, tools);
                result = step;
            }
            else if (step.Tool is { } tool)
            {
                tools++;
                protocol.Tool(tool, step.Input ?? [], step.Output ?? "", step.IsError || step.Denied, step.Denied);
            }
            else if (step.Write is { } path)
            {
                var full = Path.GetFullPath(path, Environment.CurrentDirectory);
                if (!full.StartsWith(Environment.CurrentDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"{path} is outside the working directory");
                }

                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, step.Content ?? "");
            }
            else if (step.Commit is { } message)
            {
                Git("add", "-A");
                Git("-c", "user.name=Stub Agent", "-c", "user.email=stub-agent@localhost", "commit", "-q", "--allow-empty", "-m", message);
            }
            else if (step.SleepMs is { } ms)
            {
                Thread.Sleep(ms);
            }
            else if (step.Hang)
            {
                Thread.Sleep(Timeout.Infinite);
            }
            else if (step.Raw is { } raw)
            {
                Protocol.Line(raw);
            }
            else if (step.Stderr is { } error)
            {
                Console.Error.WriteLine(error);
            }
            else if (step.Retry is { } reason)
            {
                protocol.Retry(reason, ++retries);
            }
            else if (step.HugeBytes is { } bytes)
            {
                var text = new StringBuilder(bytes);
                while (text.Length < bytes)
                {
                    text.Append("all work and no play makes a dull agent. ");
                }

                protocol.Text(text.ToString(0, bytes));
            }
            else if (step.SecretFrom is { } variable)
            {
                protocol.Text($"The value of {variable} is {Environment.GetEnvironmentVariable(variable)}");
            }
            else if (step.EchoPrompts)
            {
                protocol.Text("Prompts so far:\n" + string.Join("\n---\n", protocol.Prompts));
            }
            else if (step.Text is { } said)
            {
                protocol.Text(said);
            }
        }

        return script.Exit ?? (result is null || result.Succeeds ? 0 : 1);
    }

    private static void Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var git = Process.Start(start)!;
        var stderr = git.StandardError.ReadToEndAsync();
        git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {stderr.Result}");
        }
    }

    internal static JsonObject Input(JsonObject input) => (JsonObject)input.DeepClone();
}
