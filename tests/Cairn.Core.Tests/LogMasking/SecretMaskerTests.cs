using System.Text;
using System.Text.Json;
using Cairn.Core.Logs;

namespace Cairn.Core.Tests.LogMasking;

public sealed class SecretMaskerTests
{
    private const string Token = "tok-3f9a/Zq+x==";

    private static SecretMasker Masker(params string[] values) =>
        new(values.Select((v, i) => KeyValuePair.Create($"S{i}", v)));

    [Fact]
    public void Value_IsReplacedEverywhere_AndOtherTextIsKept()
    {
        Assert.Equal("a *** b *** c", Masker(Token).Mask($"a {Token} b {Token} c"));
    }

    [Fact]
    public void TextWithoutSecrets_IsTheSameString_ColourCodesAndAll()
    {
        var line = "\e[1;32mPASS\e[0m tests/unit.cs \t 100% ✓ 😀";

        Assert.Same(line, Masker(Token, "another-secret").Mask(line));
        Assert.Same(line, SecretMasker.None.Mask(line));
    }

    [Fact]
    public void OverlappingAndTouchingSecrets_AreMaskedAsOne()
    {
        var masker = Masker("abcdef", "defghi", "ghij");

        Assert.Equal("x***y", masker.Mask("xabcdefghijy"));
        Assert.Equal("x***y", masker.Mask("xabcdefdefghiy"));
    }

    [Fact]
    public void TheLongestSecretStartingAtAPlace_Wins()
    {
        Assert.Equal("<***>", Masker("pass", "password123").Mask("<password123>"));
    }

    [Fact]
    public void ValuesShorterThanFour_AreNotMasked_AndTheirNamesAreGiven()
    {
        var masker = new SecretMasker([KeyValuePair.Create("PIN", "123"), KeyValuePair.Create("TOKEN", Token), KeyValuePair.Create("EMPTY", "")]);

        Assert.Equal("pin 123 token ***", masker.Mask($"pin 123 token {Token}"));
        Assert.Equal(["PIN"], masker.Unmasked);
    }

    [Fact]
    public void MultiLineSecret_IsMaskedLineByLine()
    {
        var key = "-----BEGIN KEY-----\r\nMIIEvQIBADANBgkq\nhkiG9w0BAQEFAASC\n-----END KEY-----";
        var masker = Masker(key);

        Assert.Equal("***", masker.Mask("MIIEvQIBADANBgkq"));
        Assert.Equal("key: ***", masker.Mask("key: hkiG9w0BAQEFAASC"));
        Assert.Equal("***", masker.Mask("-----BEGIN KEY-----"));
    }

    [Fact]
    public void MultiLineSecret_WithShortLines_IsStillMaskedWhenEncodedWhole()
    {
        var masker = Masker("ab\ncd\nef");

        Assert.Equal("{\"k\":\"***\"}", masker.Mask(JsonSerializer.Serialize(new { k = "ab\ncd\nef" })));
        Assert.Equal(["S0"], masker.Unmasked);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("xy")]
    public void Base64_IsMasked_AtEveryAlignment(string before)
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(before + Token + "tail"));
        var masked = Masker(Token).Mask($"echo {encoded}");

        Assert.Contains("***", masked, StringComparison.Ordinal);
        Assert.Null(Leaks.Find(masked, Token));
    }

    [Fact]
    public void Base64_AsTheBase64ToolPrintsIt_PaddedOrNot_StandardOrUrlSafe_IsMaskedWhole()
    {
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(Token));
        var masker = Masker(Token);

        Assert.Equal("***", masker.Mask(encoded));
        Assert.Equal("***", masker.Mask(encoded.TrimEnd('=')));
        Assert.Equal("***", masker.Mask(encoded.Replace('+', '-').Replace('/', '_')));
    }

    [Fact]
    public void Base64_WrappedAt76Columns_IsMaskedOnEveryLine()
    {
        var secret = string.Concat(Enumerable.Repeat("Lorem-ipsum/dolor+sit", 5));
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes(secret));
        var masker = Masker(secret);

        foreach (var line in encoded.Chunk(76).Select(c => new string(c)))
        {
            Assert.Equal("***", masker.Mask(line));
        }
    }

    [Fact]
    public void UrlEncoded_WithPercent20OrPlusForSpaces_IsMasked()
    {
        const string secret = "p@ss w/rd:ü!";
        var masker = Masker(secret);

        Assert.Equal("?q=***&x=1", masker.Mask($"?q={Uri.EscapeDataString(secret)}&x=1"));
        Assert.Equal("?q=***&x=1", masker.Mask($"?q={Uri.EscapeDataString(secret).Replace("%20", "+", StringComparison.Ordinal)}&x=1"));
        Assert.Equal("?q=***", masker.Mask($"?q={System.Net.WebUtility.UrlEncode(secret)}"));
        Assert.Equal("?q=***", masker.Mask($"?q={Uri.EscapeDataString(secret).ToLowerInvariant()}"));
    }

    [Fact]
    public void JsonEscaped_IsMasked()
    {
        const string secret = "he said \"hi\" <b>&\\ é";
        var masker = Masker(secret);

        Assert.Equal("{\"token\":\"***\"}", masker.Mask(JsonSerializer.Serialize(new { token = secret })));
        Assert.Equal("{\"token\":\"***\"}", masker.Mask("{\"token\":\"he said \\\"hi\\\" <b>&\\\\ é\"}"));
        Assert.Equal("{\"token\":\"***\"}", masker.Mask("{\"token\":\"he said \\\"hi\\\" <b>&\\\\ \\u00e9\"}"));
    }

    [Fact]
    public void SecretWithATrailingNewline_IsMaskedAlsoAsUsedWithoutIt()
    {
        var masker = Masker(Token + "\n");

        Assert.Equal("***", masker.Mask(Convert.ToBase64String(Encoding.UTF8.GetBytes(Token + "\n"))));
        Assert.Equal("***", masker.Mask(Convert.ToBase64String(Encoding.UTF8.GetBytes(Token))));
        Assert.Equal("{\"k\":\"***\"}", masker.Mask(JsonSerializer.Serialize(new { k = Token })));
    }

    [Fact]
    public void IndentedLinesOfASecret_AreMaskedAlsoWithoutTheirIndent()
    {
        Assert.Equal("key: ***", Masker("config:\n    api-key: 9f8e7d6c\n").Mask("key: api-key: 9f8e7d6c"));
    }

    [Fact]
    public void APlaceholderLikeSecret_IsStillMasked()
    {
        Assert.Equal("a *** b", Masker("****x****").Mask("a ****x**** b"));
    }
}
