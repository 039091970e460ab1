using Cairn.Cli;

// --help and --version alone are answered before the parser (and the commands) are loaded at all. The native build
// hands any command it does not hold to the managed program beside it, before loading anything else.
if (RootAnswers.TryAnswer(args, Console.Out))
{
    return ExitCodes.Succeeded;
}

return ManagedProgram.Wanted(args) ? ManagedProgram.Exec(args, Console.Error) : await CairnCommandLine.RunAsync(args);
