namespace Cairn.Core.Pipelines.Grammar;

/// <summary>The shapes a value in <c>.cairn.yml</c> can take. Each maps to one JSON Schema fragment.</summary>
internal enum SyntaxKind
{
    /// <summary>A scalar kept as its text (numbers and booleans included).</summary>
    Text,
    Boolean,
    Integer,

    /// <summary>A number greater than zero, with a fraction allowed (<c>budget-usd: 2.5</c>).</summary>
    Decimal,
    Duration,

    /// <summary>One of <see cref="SyntaxKey.AllowedValues"/>.</summary>
    Choice,

    /// <summary>An <c>if:</c> condition: bare, or wrapped in <c>${{ }}</c>.</summary>
    Condition,

    /// <summary>One string or a list of strings.</summary>
    TextOrList,

    /// <summary>A list of strings (numbers and booleans kept as written).</summary>
    TextList,

    /// <summary>A list of names matching <see cref="SyntaxKey.NamePattern"/>.</summary>
    NameList,

    /// <summary>A list whose items are among <see cref="SyntaxKey.AllowedValues"/>.</summary>
    ValueList,

    /// <summary>A mapping of variable names to scalar values.</summary>
    Env,

    /// <summary>A mapping with the fixed keys in <see cref="SyntaxKey.Children"/>.</summary>
    Object,

    /// <summary>A mapping of free names (matching <see cref="SyntaxKey.NamePattern"/>) to objects with the keys in <see cref="SyntaxKey.Children"/>.</summary>
    NamedObjects,

    /// <summary>A list of objects with the keys in <see cref="SyntaxKey.Children"/>.</summary>
    ObjectList,

    /// <summary><c>on:</c>: an event name, a list of them, or a mapping of event to filters.</summary>
    Events,

    /// <summary>A matrix: axes (free names to lists of scalars) plus the keys in <see cref="SyntaxKey.Children"/>.</summary>
    Matrix,

    /// <summary>One object with the keys in <see cref="SyntaxKey.Children"/>, or a list of them.</summary>
    ObjectOrList,

    /// <summary>A list of mappings of scalars (<c>include</c>, <c>exclude</c>).</summary>
    ScalarMapList,

    /// <summary>A scalar (the first child's value, in short) or an object with the keys in <see cref="SyntaxKey.Children"/>.</summary>
    TextOrObject,

    /// <summary>Manual inputs by name; each is null, a bare default, or an object with the keys in <see cref="SyntaxKey.Children"/>.</summary>
    Inputs,
}

/// <summary>One key of the pipeline syntax: its name, the shape of its value, what it means, and the keys below it.
/// The validator checks keys against this tree and the JSON Schema is generated from it, so the two cannot disagree.</summary>
internal sealed record SyntaxKey(string Name, SyntaxKind Kind, string Description)
{
    public IReadOnlyList<SyntaxKey> Children { get; init; } = [];

    public IReadOnlyList<string> AllowedValues { get; init; } = [];

    public bool Required { get; init; }

    /// <summary>A null value (<c>push:</c> with nothing after it) is allowed and means "no settings".</summary>
    public bool Nullable { get; init; }

    public string? NamePattern { get; init; }

    public int? Minimum { get; init; }

    public int? Maximum { get; init; }

    public SyntaxKey Child(string name) =>
        Children.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"'{Name}' has no key '{name}'", nameof(name));

    /// <summary>Whether an unknown key's error lists this key among what is allowed. A specialised section (<c>agents</c>)
    /// is left out of that list so that it stays short; a near miss still suggests it.</summary>
    public bool Listed { get; init; } = true;

    public IReadOnlyList<string> ChildNames => [.. Children.Select(c => c.Name)];

    /// <summary>The child keys an unknown key's error lists.</summary>
    public IReadOnlyList<string> ListedChildNames => [.. Children.Where(c => c.Listed).Select(c => c.Name)];
}
