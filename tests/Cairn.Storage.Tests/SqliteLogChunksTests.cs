using System.Text;
using Cairn.Core.Logs;
using Cairn.Core.Runs;
using Cairn.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using static Cairn.Storage.Tests.StoreScope;

namespace Cairn.Storage.Tests;

/// <summary>A chunk's JSON as the SQLite store writes it: SQLite's own JSON functions (what search, the index queue and
/// the <c>log_lines</c> view read) and the store's reader both read back every line as it was, whatever characters it
/// holds: each ASCII character, text beyond ASCII around what JSON escapes, surrogate pairs and lone surrogates (which
/// become U+FFFD, as the store has always kept them).</summary>
public sealed class SqliteLogChunksTests
{
    public static TheoryData<string> Texts => new(
        string.Concat(Enumerable.Range(0, 0x80).Select(c => (char)c)),
        "plain ascii, nothing to escape",
        "\u001b[31merror:\u001b[0m \"quoted\" \\ back\\slash\r\n\tdone\u007f",
        "é漢字💥 then ascii \"and\" \u0001 then 漢字\u0002",
        "ends beyond ascii: 💥",
        "\ud83d",
        "a lone high surrogate \ud83d then ascii",
        "a lone high surrogate before another \ud83d漢",
        "a lone low surrogate \ude00 and a pair \ud83d\ude00\u0003",
        "",
        new string('\u0001', 20_000),
        string.Concat(Enumerable.Repeat("漢\"\u001b💥x", 5_000)));

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task EveryLine_ReadsBackAsItWas_ThroughSqlitesJsonAndTheStoresReader(string text)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_123);
        var lines = new List<StoredLogLine>
        {
            new(41, 0, LogStream.Stdout, at, "before"),
            new(42, 3, LogStream.Stderr, at.AddMilliseconds(7), text),
            new(43, 12, LogStream.System, at.AddMilliseconds(9), text + "\"" + text),
        };
        var expected = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));

        var buffer = new byte[16];
        var length = SqliteLogChunks.Encode(ref buffer, lines, 0, lines.Count);
        var json = buffer.AsSpan(0, length).ToArray();

        var read = new List<StoredLogLine>();
        SqliteLogChunks.Decode(json, 41, 0, null, 10, read);
        Assert.Equal(
            [lines[0], lines[1] with { Text = expected }, lines[2] with { Text = expected + "\"" + expected }],
            read);

        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync(Token);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT json_valid(@json), value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(CAST(@json AS TEXT));";
        command.Parameters.AddWithValue("@json", json);
        await using var rows = await command.ExecuteReaderAsync(Token);
        var fromSqlite = new List<(long, long, string, long, string)>();
        while (await rows.ReadAsync(Token))
        {
            fromSqlite.Add((rows.GetInt64(0), rows.GetInt64(1), rows.GetString(2), rows.GetInt64(3), rows.GetString(4)));
        }

        Assert.Equal(
            [
                (1L, 0L, "stdout", at.ToUnixTimeMilliseconds(), "before"),
                (1L, 3L, "stderr", at.ToUnixTimeMilliseconds() + 7, expected),
                (1L, 12L, "system", at.ToUnixTimeMilliseconds() + 9, expected + "\"" + expected),
            ],
            fromSqlite);
    }

    [Fact]
    public void TheBuffer_GrowsForAChunkThatDoesNotFit_AndIsKeptForTheNext()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);
        var small = new List<StoredLogLine> { new(1, 0, LogStream.Stdout, at, "ok") };
        var large = new List<StoredLogLine> { new(2, 0, LogStream.Stdout, at, new string('\u001f', 50_000)) };

        var buffer = new byte[256];
        var kept = buffer;
        Assert.Equal("[[0,\"stdout\",1767225600000,\"ok\"]]", Encoding.UTF8.GetString(buffer, 0, SqliteLogChunks.Encode(ref buffer, small, 0, 1)));
        Assert.Same(kept, buffer);

        var length = SqliteLogChunks.Encode(ref buffer, large, 0, 1);
        Assert.NotSame(kept, buffer);
        Assert.Equal(50_000 * 6 + "[[0,\"stdout\",1767225600000,\"\"]]".Length, length);
        kept = buffer;
        SqliteLogChunks.Encode(ref buffer, small, 0, 1);
        Assert.Same(kept, buffer);
    }
}
