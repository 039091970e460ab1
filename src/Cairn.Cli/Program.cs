using Cairn.Cli;

// --help and --version alone are answered before the parser (and the commands) are loaded at all. The native build
// hands any command it does not hold to the managed program beside it, before loading anything else.
if (RootAnswers.TryAnswer(args, Console.Out))
{
    return ExitCodes.Succeeded;
}

if (ManagedProgram.IsFor(args))
{
    return ManagedProgram.Exec(args, Console.Error);
}

// The program that runs the command hears of its children's exits, and keeps what it inherited to itself (the native
// build's forwarding above passes both on).
ChildExits.EnsureHeard(Console.Error);
InheritedDescriptors.CloseOnExec();
return await CairnCommandLine.RunAsync(args);
