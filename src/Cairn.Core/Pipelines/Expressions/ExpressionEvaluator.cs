namespace Cairn.Core.Pipelines.Expressions;

/// <summary>Computes the value of a checked expression tree.</summary>
/// <param name="status">What the status functions answer; null where they may not be used (templates).</param>
/// <param name="hashes">What each <c>hashFiles(…)</c> answers, by <see cref="HashFilesKey"/> of its globs; null where it
/// may not be used (everywhere but a cache's keys).</param>
internal sealed class ExpressionEvaluator(ExpressionContext context, StatusContext? status, IReadOnlyDictionary<string, string>? hashes = null)
{
    /// <summary>One key per list of globs: globs hold no line breaks that matter, and the order is kept.</summary>
    public static string HashFilesKey(IReadOnlyList<string> patterns) => string.Join('\n', patterns);

    public ExpressionValue Evaluate(Syntax node) => node switch
    {
        LiteralSyntax literal => literal.Value,
        AccessSyntax access => Read(access),
        CallSyntax { Name: ExpressionChecker.HashFiles } call => ExpressionValue.FromString(HashFiles(call)),
        CallSyntax call => ExpressionValue.FromBool(CallStatusFunction(call.Name)),
        NotSyntax not => ExpressionValue.FromBool(!Evaluate(not.Operand).IsTruthy),
        BinarySyntax binary => Evaluate(binary),
        _ => throw new InvalidOperationException($"cannot evaluate {node.GetType().Name}: the expression was not checked"),
    };

    private ExpressionValue Evaluate(BinarySyntax binary) => binary.Operator switch
    {
        BinaryOperator.And => ExpressionValue.FromBool(Evaluate(binary.Left).IsTruthy && Evaluate(binary.Right).IsTruthy),
        BinaryOperator.Or => ExpressionValue.FromBool(Evaluate(binary.Left).IsTruthy || Evaluate(binary.Right).IsTruthy),
        BinaryOperator.Equal => ExpressionValue.FromBool(Evaluate(binary.Left).LooselyEquals(Evaluate(binary.Right))),
        BinaryOperator.NotEqual => ExpressionValue.FromBool(!Evaluate(binary.Left).LooselyEquals(Evaluate(binary.Right))),
        _ => throw new InvalidOperationException($"unknown operator {binary.Operator}"),
    };

    // A key that is not there reads as null; validation has already flagged names that can never be there.
    private ExpressionValue Read(AccessSyntax access)
    {
        var values = access.Context switch
        {
            "matrix" => context.Matrix,
            "env" => context.Env,
            "inputs" => context.Inputs,
            "cairn" => context.Cairn,
            _ => throw new InvalidOperationException($"unknown context '{access.Context}': the expression was not checked"),
        };
        return ExpressionValue.FromNullable(values.GetValueOrDefault(access.Key));
    }

    private string HashFiles(CallSyntax call)
    {
        if (hashes is null)
        {
            throw new InvalidOperationException(ExpressionChecker.HashFilesPlaces);
        }

        var patterns = ExpressionChecker.HashFilesPatterns(call)
            ?? throw new InvalidOperationException("hashFiles() takes quoted globs: the expression was not checked");
        return hashes.TryGetValue(HashFilesKey(patterns), out var hash)
            ? hash
            : throw new InvalidOperationException("hashFiles() was not computed for these globs");
    }

    private bool CallStatusFunction(string name)
    {
        if (status is null)
        {
            throw new InvalidOperationException($"status functions such as {name}() can only be used in if:");
        }

        return name switch
        {
            "success" => status.Success,
            "failure" => status.AnyFailed,
            "cancelled" => status.Cancelled,
            "always" => true,
            _ => throw new InvalidOperationException($"unknown function '{name}': the expression was not checked"),
        };
    }
}
