using Cairn.Cli;

return await CairnCommandLine.RunAsync(args);
