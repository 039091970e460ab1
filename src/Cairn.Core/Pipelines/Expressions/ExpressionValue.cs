namespace Cairn.Core.Pipelines.Expressions;

/// <summary>A value of the language: a string, a bool, or null. Numbers are strings as written.</summary>
internal readonly record struct ExpressionValue
{
    private readonly string? text;
    private readonly bool? boolean;

    private ExpressionValue(string? text, bool? boolean)
    {
        this.text = text;
        this.boolean = boolean;
    }

    public static ExpressionValue Null => default;

    public static ExpressionValue True { get; } = new(null, true);

    public static ExpressionValue False { get; } = new(null, false);

    public bool IsNull => text is null && boolean is null;

    public bool IsBool => boolean is not null;

    /// <summary>null, <c>''</c> and <c>false</c> are false; everything else is true.</summary>
    public bool IsTruthy => boolean ?? !string.IsNullOrEmpty(text);

    /// <summary>The string form: null is empty, bools are <c>true</c>/<c>false</c>.</summary>
    public string Text => boolean switch
    {
        true => "true",
        false => "false",
        null => text ?? "",
    };

    public static ExpressionValue FromString(string value) => new(value, null);

    public static ExpressionValue FromBool(bool value) => value ? True : False;

    public static ExpressionValue FromNullable(string? value) => value is null ? Null : FromString(value);

    /// <summary>Two bools compare as bools; anything else compares by string form, ordinal and case-sensitive.</summary>
    public bool LooselyEquals(ExpressionValue other) =>
        IsBool && other.IsBool ? boolean == other.boolean : string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override string ToString() => IsNull ? "null" : Text;
}
