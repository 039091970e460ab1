namespace Cairn.Core.Access;

/// <summary>What an API token was made for; a token may hold several. Wire names: <c>read</c>, <c>trigger</c>,
/// <c>admin</c> (<see cref="TokenScopes"/>).</summary>
[Flags]
public enum TokenScope
{
    None = 0,

    /// <summary>Reading, as a viewer.</summary>
    Read = 1,

    /// <summary>Triggering, cancelling and rerunning, as a developer.</summary>
    Trigger = 2,

    /// <summary>Everything the user may do.</summary>
    Admin = 4,
}
