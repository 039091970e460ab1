namespace Cairn.Core.Pipelines.Expressions;

/// <summary>Checks the names in a parsed expression: contexts, functions, and (given a scope) matrix keys, inputs and
/// where status functions may appear.</summary>
internal static class ExpressionChecker
{
    public static readonly string[] Contexts = ["matrix", "env", "inputs", "cairn"];

    /// <summary>What <c>cairn.*</c> holds: the event's data, readable in <c>concurrency.group</c> only.</summary>
    public static readonly string[] CairnKeys = ["ref", "branch", "tag", "sha", "event", "repository"];

    public static readonly string[] StatusFunctions = ["success", "failure", "always", "cancelled"];

    /// <summary>The one function that is not a status function: a digest of files of the workspace, for cache keys.</summary>
    public const string HashFiles = "hashFiles";

    /// <summary>Where <c>hashFiles()</c> may be called, for its error.</summary>
    public const string HashFilesPlaces = "hashFiles() can only be used in a cache's key and restore-keys, where the workspace is there to read";

    /// <summary>Adds each problem to <paramref name="errors"/>. Without a scope only what is wrong everywhere is checked.</summary>
    public static void Check(Syntax node, ExpressionScope? scope, List<ExpressionError> errors)
    {
        switch (node)
        {
            case AccessSyntax access:
                CheckAccess(access, scope, errors);
                break;
            case NameSyntax name:
                errors.Add(new ExpressionError(name.Offset, DescribeBareName(name.Name)));
                break;
            case CallSyntax call:
                CheckCall(call, scope, errors);
                break;
            case NotSyntax not:
                Check(not.Operand, scope, errors);
                break;
            case BinarySyntax binary:
                Check(binary.Left, scope, errors);
                Check(binary.Right, scope, errors);
                break;
        }
    }

    /// <summary>True when the expression calls <c>success()</c>, <c>failure()</c>, <c>always()</c> or <c>cancelled()</c>.</summary>
    public static bool NamesStatusFunction(Syntax node) => node switch
    {
        CallSyntax call => StatusFunctions.Contains(call.Name) || call.Arguments.Any(NamesStatusFunction),
        NotSyntax not => NamesStatusFunction(not.Operand),
        BinarySyntax binary => NamesStatusFunction(binary.Left) || NamesStatusFunction(binary.Right),
        _ => false,
    };

    private static string DescribeBareName(string name)
    {
        if (Contexts.Contains(name))
        {
            return $"'{name}' needs a key, like {name}.NAME or {name}['NAME']";
        }

        if (StatusFunctions.Contains(name))
        {
            return $"'{name}' is a function: write {name}()";
        }

        var keyword = Suggestions.Closest(name, ["true", "false", "null"]);
        return keyword is not null
            ? $"unknown name '{name}'; did you mean '{keyword}'?"
            : $"unknown name '{name}': quote text to compare with it, like '{name}'";
    }

    private static void CheckAccess(AccessSyntax access, ExpressionScope? scope, List<ExpressionError> errors)
    {
        if (scope is { OnlyContexts: { } only } && Contexts.Contains(access.Context) && !only.Contains(access.Context))
        {
            errors.Add(new ExpressionError(access.Offset, $"{scope.Place} can read only {string.Join(" and ", only)}, not {access.Context}"));
            return;
        }

        switch (access.Context)
        {
            case "cairn":
                CheckCairnKey(access, scope, errors);
                break;
            case "matrix":
                CheckMatrixKey(access, scope, errors);
                break;
            case "inputs":
                CheckInput(access, scope, errors);
                break;
            case "env":
                // Environment variables may come from the command line, so no name is unknown; but the pipeline's
                // own env is where they come from, and cannot read itself.
                if (scope is { AllowEnv: false })
                {
                    errors.Add(new ExpressionError(access.Offset, "the pipeline's env cannot read env; it may read inputs"));
                }

                break;
            default:
                errors.Add(new ExpressionError(access.Offset, DescribeUnknownContext(access.Context)));
                break;
        }
    }

    private static string DescribeUnknownContext(string context)
    {
        var meant = Suggestions.Closest(context, Contexts);
        return meant is not null
            ? $"unknown context '{context}'; did you mean '{meant}'?"
            : $"unknown context '{context}': expressions can read matrix, env and inputs; "
                + "event data such as the branch is in environment variables like $CAIRN_BRANCH";
    }

    private static void CheckCairnKey(AccessSyntax access, ExpressionScope? scope, List<ExpressionError> errors)
    {
        if (scope is null)
        {
            return;
        }

        if (scope.OnlyContexts?.Contains("cairn") != true)
        {
            // Event data chosen by whoever pushes (a branch name) must never become part of a script or a command.
            errors.Add(new ExpressionError(access.Offset,
                "the cairn context can only be read in concurrency.group; steps see the event as $CAIRN_BRANCH, $CAIRN_SHA and the like"));
        }
        else if (!CairnKeys.Contains(access.Key))
        {
            errors.Add(new ExpressionError(access.KeyOffset, Unknown("cairn key", access.Key, CairnKeys, $"(keys: {string.Join(", ", CairnKeys)})")));
        }
    }

    private static void CheckMatrixKey(AccessSyntax access, ExpressionScope? scope, List<ExpressionError> errors)
    {
        if (scope is null)
        {
            return;
        }

        if (scope.MatrixAxes is null)
        {
            errors.Add(new ExpressionError(access.Offset, "this job has no matrix"));
        }
        else if (!scope.MatrixAxes.Contains(access.Key))
        {
            var keys = $"(keys: {string.Join(", ", scope.MatrixAxes)})";
            errors.Add(new ExpressionError(access.KeyOffset, Unknown("matrix key", access.Key, scope.MatrixAxes, keys)));
        }
    }

    private static void CheckInput(AccessSyntax access, ExpressionScope? scope, List<ExpressionError> errors)
    {
        if (scope is null || scope.Inputs.Contains(access.Key))
        {
            return;
        }

        var message = scope.Inputs.Count == 0
            ? "no inputs are declared under on.manual.inputs"
            : Unknown("input", access.Key, scope.Inputs, $"(declared: {string.Join(", ", scope.Inputs)})");
        errors.Add(new ExpressionError(access.KeyOffset, message));
    }

    private static string Unknown(string what, string name, IEnumerable<string> known, string listing)
    {
        var meant = Suggestions.Closest(name, known);
        return meant is null
            ? $"unknown {what} '{name}' {listing}"
            : $"unknown {what} '{name}'; did you mean '{meant}'? {listing}";
    }

    private static void CheckCall(CallSyntax call, ExpressionScope? scope, List<ExpressionError> errors)
    {
        foreach (var argument in call.Arguments)
        {
            Check(argument, scope, errors);
        }

        if (call.Name == HashFiles)
        {
            CheckHashFiles(call, scope, errors);
            return;
        }

        if (!StatusFunctions.Contains(call.Name))
        {
            var meant = Suggestions.Closest(call.Name, [.. StatusFunctions, HashFiles]);
            errors.Add(new ExpressionError(call.Offset, meant is not null
                ? $"unknown function '{call.Name}'; did you mean {meant}()?"
                : $"unknown function '{call.Name}': the functions are success(), failure(), always() and cancelled()"));
            return;
        }

        if (call.Arguments.Count > 0)
        {
            errors.Add(new ExpressionError(call.Offset, $"{call.Name}() takes no arguments"));
        }

        if (scope is { AllowStatusFunctions: false })
        {
            errors.Add(new ExpressionError(call.Offset, $"status functions such as {call.Name}() can only be used in if:"));
        }
    }

    /// <summary>The globs of a <c>hashFiles(…)</c> call, when every argument is a quoted glob.</summary>
    public static IReadOnlyList<string>? HashFilesPatterns(CallSyntax call) =>
        call.Arguments.Count > 0 && call.Arguments.All(a => a is LiteralSyntax { Value: { IsNull: false, IsBool: false } })
            ? [.. call.Arguments.Cast<LiteralSyntax>().Select(a => a.Value.Text)]
            : null;

    private static void CheckHashFiles(CallSyntax call, ExpressionScope? scope, List<ExpressionError> errors)
    {
        if (scope is { AllowHashFiles: false })
        {
            errors.Add(new ExpressionError(call.Offset, HashFilesPlaces));
            return;
        }

        if (call.Arguments.Count == 0)
        {
            errors.Add(new ExpressionError(call.Offset, "hashFiles() needs at least one glob, like hashFiles('**/packages.lock.json')"));
            return;
        }

        foreach (var argument in call.Arguments)
        {
            if (argument is not LiteralSyntax { Value: { IsNull: false, IsBool: false } literal })
            {
                errors.Add(new ExpressionError(argument.Offset, "hashFiles() takes quoted globs, like hashFiles('**/packages.lock.json')"));
            }
            else if (WorkspacePaths.GlobProblem(literal.Text) is { } problem)
            {
                errors.Add(new ExpressionError(argument.Offset, $"hashFiles() glob '{literal.Text}' {problem}"));
            }
        }
    }
}
