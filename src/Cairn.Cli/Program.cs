using Cairn.Cli;

// --help and --version alone are answered before the parser (and the commands) are loaded at all.
return RootAnswers.TryAnswer(args, Console.Out) ? ExitCodes.Succeeded : await CairnCommandLine.RunAsync(args);
