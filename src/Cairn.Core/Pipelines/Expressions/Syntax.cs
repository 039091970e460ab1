namespace Cairn.Core.Pipelines.Expressions;

/// <summary>A node of a parsed expression; <see cref="Offset"/> is where it starts in the expression text.</summary>
internal abstract record Syntax(int Offset);

/// <summary>A string, number (kept as written), <c>true</c>, <c>false</c> or <c>null</c>.</summary>
internal sealed record LiteralSyntax(ExpressionValue Value, int Offset) : Syntax(Offset);

/// <summary><c>matrix.os</c>, <c>env.HOME</c> or <c>inputs['target']</c>.</summary>
internal sealed record AccessSyntax(string Context, string Key, int KeyOffset, int Offset) : Syntax(Offset);

/// <summary>A bare word that is not a keyword, such as <c>linux</c> where <c>'linux'</c> was meant.</summary>
internal sealed record NameSyntax(string Name, int Offset) : Syntax(Offset);

internal sealed record CallSyntax(string Name, IReadOnlyList<Syntax> Arguments, int Offset) : Syntax(Offset);

internal sealed record NotSyntax(Syntax Operand, int Offset) : Syntax(Offset);

internal enum BinaryOperator
{
    Equal,
    NotEqual,
    And,
    Or,
}

internal sealed record BinarySyntax(BinaryOperator Operator, Syntax Left, Syntax Right, int Offset) : Syntax(Offset);

/// <summary>Where the parser could not read a value; the problem is already reported.</summary>
internal sealed record MissingSyntax(int Offset) : Syntax(Offset);
