using System.Text;
using System.Text.Json;

namespace Cairn.Bench.LogMasking;

/// <summary>A pool of build-log-like lines (paths, timestamps, ANSI colours) with the secrets embedded now and then in
/// one of the forms a step prints them: raw, base64, URL-encoded, inside JSON. The benchmark cycles through the pool, so
/// its memory does not grow with the size of the log pushed.</summary>
internal sealed class Corpus
{
    private static readonly string[] Words =
    [
        "Compiling", "warning", "error", "info", "Restored", "src/Cairn.Core/Engine/JobReporter.cs(42,17):", "Building",
        "target", "->", "PASS", "FAIL", "ok", "tests/unit/test_parser.py::test_roundtrip", "npm", "WARN", "deprecated",
        "Downloading", "https://example.invalid/pkg/v1.2.3.tgz", "100%", "0.42s", "[INFO]", "--", "{\"level\":\"debug\"}",
        "Step", "3/12", ":", "RUN", "make", "-j2", "cc", "-O2", "-Wall", "-c", "main.c", "ld:", "=>", "done.",
    ];

    private static readonly string[] Colours = ["\e[32m", "\e[31m", "\e[1;33m", "\e[36m"];
    private const string Reset = "\e[0m";
    private const string TokenChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=:@!";

    public Corpus(int seed, int secretCount, int poolBytes, int secretEvery)
    {
        var random = new Random(seed);
        Secrets = [.. Enumerable.Range(0, secretCount).Select(i => KeyValuePair.Create($"SECRET_{i}", Token(random, random.Next(16, 49))))];
        var lines = new List<string>();
        var bytes = 0L;
        while (bytes < poolBytes)
        {
            var line = lines.Count % secretEvery == secretEvery - 1 ? WithSecret(random) : Line(random);
            lines.Add(line);
            bytes += Encoding.UTF8.GetByteCount(line) + 1;
        }

        Lines = [.. lines];
        PoolBytes = bytes;
    }

    public IReadOnlyList<KeyValuePair<string, string>> Secrets { get; }

    public string[] Lines { get; }

    public long PoolBytes { get; }

    private static string Token(Random random, int length) =>
        string.Create(length, random, static (chars, r) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = TokenChars[r.Next(TokenChars.Length)];
            }
        });

    private static string Line(Random random)
    {
        var text = new StringBuilder();
        text.Append("2026-01-02T03:04:").Append(random.Next(10, 60)).Append('.').Append(random.Next(100, 1000)).Append("Z ");
        var target = random.Next(20, 200);
        while (text.Length < target)
        {
            if (random.Next(12) == 0)
            {
                text.Append(Colours[random.Next(Colours.Length)]).Append(Words[random.Next(Words.Length)]).Append(Reset);
            }
            else
            {
                text.Append(Words[random.Next(Words.Length)]);
            }

            text.Append(' ');
        }

        return text.ToString();
    }

    private string WithSecret(Random random)
    {
        var value = Secrets[random.Next(Secrets.Count)].Value;
        var form = random.Next(4) switch
        {
            0 => value,
            1 => Convert.ToBase64String(Encoding.UTF8.GetBytes(value)),
            2 => Uri.EscapeDataString(value),
            _ => JsonSerializer.Serialize(new { token = value }),
        };
        var line = Line(random);
        var at = random.Next(line.Length);
        return string.Concat(line.AsSpan(0, at), form, line.AsSpan(at));
    }
}
