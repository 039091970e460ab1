using System.Text;
using System.Text.RegularExpressions;
using Cairn.Core.Logs;

namespace Cairn.Core.Tests.LogMasking;

/// <summary>Thousands of random cases from fixed seeds: a failure names its seed.</summary>
public sealed partial class SecretMaskerPropertyTests
{
    private const int Cases = 3000;

    [Fact]
    public void SecretsInAnyForm_AtRandomOffsets_SplitIntoRandomPieces_NeverLeak()
    {
        for (var seed = 0; seed < Cases; seed++)
        {
            var cases = new LogCases(seed);
            var secrets = Enumerable.Range(0, cases.Random.Next(1, 4)).Select(i => KeyValuePair.Create($"S{i}", cases.Secret())).ToList();
            var masker = new SecretMasker(secrets);
            var text = new StringBuilder(cases.Noise(60));
            var embedded = new List<string>();
            for (var i = cases.Random.Next(1, 4); i > 0; i--)
            {
                var secret = secrets[cases.Random.Next(secrets.Count)].Value;
                var (form, encoded) = cases.Encode(secret);
                embedded.Add(form);
                text.Append(encoded).Append(cases.Noise(40));
            }

            var line = text.ToString();
            var maxLineBytes = cases.Random.Next(2) == 0 ? LogLine.MaxTextBytes : cases.Random.Next(8, 120);
            var stored = Assemble(masker, cases.Split(line, 8), maxLineBytes);
            var joined = string.Concat(stored);
            foreach (var (name, secret) in secrets)
            {
                var leak = Leaks.Find(joined, secret);
                Assert.True(leak is null, $"seed {seed}: {name} leaked {leak} (embedded as {string.Join(", ", embedded)})\nline:   {line}\nstored: {joined}");
            }

            Assert.True(stored.All(l => Encoding.UTF8.GetByteCount(l) <= maxLineBytes), $"seed {seed}: a line over {maxLineBytes} bytes");
            Assert.True(Collapse(joined) == Collapse(masker.Mask(line)), $"seed {seed}: pieces masked otherwise than the whole line\nline: {line}");
        }
    }

    [Fact]
    public void OutputWithoutSecrets_PassesThroughUnchanged_InPiecesOrWhole()
    {
        for (var seed = 0; seed < Cases; seed++)
        {
            var cases = new LogCases(seed);
            var secrets = Enumerable.Range(0, cases.Random.Next(0, 4)).Select(i => KeyValuePair.Create($"S{i}", cases.Secret())).ToList();
            var masker = new SecretMasker(secrets);
            var line = cases.Noise(300);

            // Compared with a plain search for every form, not with the masker's own index.
            var present = secrets.SelectMany(s => SecretForms.Of(s.Value)).Where(f => f.Length >= SecretMasker.MinLength)
                .Any(f => line.Contains(f, StringComparison.Ordinal));
            var masked = masker.Mask(line);
            if (present)
            {
                Assert.True(masked != line, $"seed {seed}: a form in the line was not masked: {line}");
                continue;
            }

            Assert.Same(line, masked);
            Assert.Equal(line, string.Concat(Assemble(masker, cases.Split(line, 8), LogLine.MaxTextBytes)));
        }
    }

    [Fact]
    public void MultiLineSecrets_AreMasked_LineByLine_AndWhenEncodedWhole()
    {
        for (var seed = 0; seed < Cases / 3; seed++)
        {
            var cases = new LogCases(seed);
            var lines = Enumerable.Range(0, cases.Random.Next(2, 5)).Select(_ => cases.Secret(4, 30)).ToList();
            var secret = string.Join(cases.Random.Next(2) == 0 ? "\n" : "\r\n", lines);
            var masker = new SecretMasker([KeyValuePair.Create("KEY", secret)]);

            foreach (var part in lines)
            {
                var output = masker.Mask(cases.Noise(20) + part + cases.Noise(20));
                Assert.True(Leaks.Find(output, part) is null, $"seed {seed}: line '{part}' of the secret leaked: {output}");
            }

            var (form, encoded) = cases.Encode(secret);
            var whole = masker.Mask(cases.Noise(20) + encoded + cases.Noise(20));
            Assert.True(Leaks.Find(whole, secret) is null, $"seed {seed}: the whole secret leaked as {form}: {whole}");
        }
    }

    [Fact]
    public void LongLines_AreCutAt64KiB_AndASecretAcrossEveryCutIsMasked()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var cases = new LogCases(seed);
            var secret = cases.Secret(4, 60);
            var masker = new SecretMasker([KeyValuePair.Create("S", secret)]);

            // The secret starts up to its own length before a 64 KiB boundary, so it straddles it (or just touches it).
            var before = LogLine.MaxTextBytes - cases.Random.Next(0, secret.Length + 1);
            var line = new string('x', before) + secret + new string('y', cases.Random.Next(0, 70_000)) + secret;

            // Whole, as a reporter gets it from an executor that holds the line, and in the executor's 64 KiB pieces.
            var executorPieces = Utf8Pieces(line, LogLine.MaxTextBytes);
            foreach (var pieces in new[] { [line], executorPieces, cases.Split(line, 6) })
            {
                var stored = Assemble(masker, pieces, LogLine.MaxTextBytes);
                Assert.True(stored.Count >= 2, $"seed {seed}: the line was not cut");
                Assert.All(stored, l => Assert.True(Encoding.UTF8.GetByteCount(l) <= LogLine.MaxTextBytes));
                Assert.True(Leaks.Find(string.Concat(stored), secret) is null, $"seed {seed}: the secret leaked at a cut");
            }
        }
    }

    [Fact]
    public void InvalidText_IsStoredWithoutNulOrLoneSurrogates()
    {
        for (var seed = 0; seed < Cases / 3; seed++)
        {
            var cases = new LogCases(seed);
            var line = new StringBuilder(cases.Noise(50));
            foreach (var bad in Enumerable.Range(0, cases.Random.Next(1, 4)))
            {
                line.Insert(cases.Random.Next(line.Length + 1), cases.Random.Next(3) switch { 0 => "\0", 1 => "\uD800", _ => "\uDC00" });
            }

            var stored = string.Concat(Assemble(SecretMasker.None, cases.Split(line.ToString(), 4), cases.Random.Next(8, 64)));
            Assert.DoesNotContain('\0', stored);
            Assert.Equal(Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(stored)), stored);
            Assert.Equal(line.Length, stored.Length);
        }
    }

    /// <summary>What the reporter stores of one line handed over in pieces (each but the last marked as continuing).</summary>
    private static List<string> Assemble(SecretMasker masker, List<string> pieces, int maxLineBytes)
    {
        var stored = new List<string>();
        if (pieces.Count == 1)
        {
            LogLineAssembler.WholeLine(masker, pieces[0], maxLineBytes, stored);
            return stored;
        }

        var assembler = new LogLineAssembler(masker, maxLineBytes);
        for (var i = 0; i < pieces.Count; i++)
        {
            assembler.Write(pieces[i], continues: i < pieces.Count - 1, stored);
        }

        Assert.False(assembler.IsOpen);
        return stored;
    }

    /// <summary>Pieces of at most <paramref name="maxBytes"/> bytes of UTF-8, as the executors cut a line they cannot hold.</summary>
    private static List<string> Utf8Pieces(string text, int maxBytes)
    {
        var pieces = new List<string>();
        while (text.Length > 0)
        {
            var take = Math.Min(text.Length, maxBytes);
            while (Encoding.UTF8.GetByteCount(text.AsSpan(0, take)) > maxBytes || char.IsHighSurrogate(text[take - 1]))
            {
                take--;
            }

            pieces.Add(text[..take]);
            text = text[take..];
        }

        return pieces;
    }

    /// <summary>Touching masks may come out as one placeholder or as several, depending on where pieces were cut.</summary>
    private static string Collapse(string text) => Placeholders().Replace(text, SecretMasker.Placeholder);

    [GeneratedRegex(@"(\*\*\*)+")]
    private static partial Regex Placeholders();
}
