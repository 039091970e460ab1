namespace Cairn.Server.Dashboard.SignIn;

/// <summary>Why a sign-in through a provider did not succeed, as <c>/login?failed=…</c> names it, and what the sign-in
/// page says for each.</summary>
internal static class SignInRefusal
{
    public const string Provider = "provider";
    public const string NotAllowed = "not-allowed";
    public const string Disabled = "disabled";
    public const string NoUser = "no-user";
    public const string Unreachable = "unreachable";

    /// <summary>The sentence the sign-in page shows; null for a reason it does not know.</summary>
    public static string? Describe(string? reason) => reason switch
    {
        Provider => "Signing in through the identity provider did not complete. Try again, or sign in with a token.",
        NotAllowed => "Your account is not in a group or organisation allowed to sign in to this server. Ask its administrator.",
        Disabled => "Your account on this server is disabled. Ask its administrator.",
        NoUser => "No user could be made for your account. Ask this server's administrator to add you.",
        Unreachable => "The identity provider cannot be reached just now. Try again in a moment, or sign in with a token.",
        _ => null,
    };
}
