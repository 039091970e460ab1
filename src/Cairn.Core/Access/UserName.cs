namespace Cairn.Core.Access;

/// <summary>The rule for a user's name: 1 to <see cref="MaxLength"/> characters, ASCII letters, digits and
/// <c>. _ - @ +</c> (so an identity provider's user name or e-mail address fits), starting with a letter or digit. Names
/// are unique ignoring case.</summary>
public static class UserName
{
    public const int MaxLength = 100;

    /// <summary>Null when <paramref name="name"/> keeps the rule; otherwise what is wrong, as a sentence's end.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "is needed";
        }

        if (name.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        if (!char.IsAsciiLetterOrDigit(name[0]))
        {
            return $"'{name}' does not start with a letter or digit";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-' or '@' or '+'))
            {
                return $"'{name}' holds a character other than letters, digits and . _ - @ +";
            }
        }

        return null;
    }
}
