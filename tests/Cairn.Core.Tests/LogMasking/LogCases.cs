using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Cairn.Core.Tests.LogMasking;

/// <summary>Random log output and secrets from a seed, so that any failing case can be run again on its own. Neither
/// holds '*' (the placeholder), a newline or NUL unless a test adds them.</summary>
internal sealed class LogCases(int seed)
{
    private static readonly string[] Pieces =
    [
        "ok", "FAIL", "error:", "src/app.cs(12,5):", "100%", " ", "  ", "\t", "=", "==", "+", "/", "-", "_", "%", "%2", "%41",
        "\\", "\\n", "\\u00e9", "\"", "'", "{", "}", ":", ",", "\e[31m", "\e[0m", "\e[1;32m", "\r", "é", "€", "日本", "😀",
        "QUJD", "aGVsbG8=", "dGVzdA", "0123456789", "abcdefghij", "ABCDEFGH", "~", "!", "(", ")", "&", "<", ">", "@",
    ];

    private const string SecretChars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 !\"#$%&'()+,-./:;<=>?@[\\]^_`{|}~é€日";

    public Random Random { get; } = new(seed);

    public string Noise(int maxLength)
    {
        var text = new StringBuilder();
        var length = Random.Next(maxLength + 1);
        while (text.Length < length)
        {
            if (Random.Next(3) == 0)
            {
                text.Append(Pieces[Random.Next(Pieces.Length)]);
            }
            else
            {
                text.Append((char)Random.Next(0x20, 0x7F) is var c && c != '*' ? c : 'x');
            }
        }

        return text.ToString();
    }

    public string Secret(int minLength = 4, int maxLength = 40)
    {
        var length = Random.Next(minLength, maxLength + 1);
        var text = new StringBuilder();
        while (text.Length < length)
        {
            if (Random.Next(40) == 0)
            {
                text.Append("😀");
            }
            else
            {
                text.Append(SecretChars[Random.Next(SecretChars.Length)]);
            }
        }

        return text.ToString();
    }

    /// <summary>The secret as some tool would print it, with the name of the form for failure messages. Base64 is of the
    /// secret inside other bytes, so that it takes every alignment, with or without padding.</summary>
    public (string Form, string Text) Encode(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        switch (Random.Next(9))
        {
            case 0:
            case 1:
                return ("raw", secret);
            case 2:
            case 3:
            {
                var before = new byte[Random.Next(6)];
                var after = new byte[Random.Next(6)];
                Random.NextBytes(before);
                Random.NextBytes(after);
                var encoded = Convert.ToBase64String([.. before, .. bytes, .. after]);
                encoded = Random.Next(2) == 0 ? encoded : encoded.TrimEnd('=');
                return Random.Next(2) == 0
                    ? ($"base64 (+{before.Length}, {after.Length}+)", encoded)
                    : ($"base64url (+{before.Length}, {after.Length}+)", encoded.Replace('+', '-').Replace('/', '_'));
            }

            case 4:
                return ("EscapeDataString", Uri.EscapeDataString(secret));
            case 5:
                return ("EscapeDataString, + for spaces", Uri.EscapeDataString(secret).Replace("%20", "+", StringComparison.Ordinal));
            case 6:
                return ("WebUtility.UrlEncode", WebUtility.UrlEncode(secret));
            case 7:
                return ("JSON", JsonSerializer.Serialize(new { token = secret }));
            default:
                return ("JSON, relaxed", JsonSerializer.Serialize(new { token = secret }, RelaxedJson));
        }
    }

    /// <summary>Cuts <paramref name="text"/> into 1 to <paramref name="maxPieces"/> pieces at random places.</summary>
    public List<string> Split(string text, int maxPieces)
    {
        var cuts = Enumerable.Range(0, Random.Next(maxPieces)).Select(_ => Random.Next(text.Length + 1)).Order().ToList();
        var pieces = new List<string>();
        var start = 0;
        foreach (var cut in cuts)
        {
            pieces.Add(text[start..cut]);
            start = cut;
        }

        pieces.Add(text[start..]);
        return pieces;
    }

    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
