using System.Collections;
using System.Diagnostics;

namespace Cairn.Testing;

/// <summary>Waits for something a test expects to come true soon (a run to end, a file to appear, a status to
/// arrive): it looks again after a short, growing pause until the condition holds, and fails once the deadline passes
/// with a message that says what was waited for and what was last seen. The deadline is generous because CI machines
/// are slow; a test that passes waits only as long as it must.</summary>
public static class Eventually
{
    /// <summary>How long a wait lasts when the test names no deadline of its own.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(100);
    private const int LongestDescription = 2000;

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return ValueAsync(() => Task.FromResult(condition()), held => held, what, timeout, cancellationToken: cancellationToken);
    }

    /// <summary>Waits until <paramref name="condition"/> holds, asking it again after each pause.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ValueAsync(condition, held => held, what, timeout, cancellationToken: cancellationToken);

    /// <summary>Reads a value until <paramref name="done"/> accepts it, and returns that value.</summary>
    public static Task<T> ValueAsync<T>(
        Func<T> read, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<T, string>? describe = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        return ValueAsync(() => Task.FromResult(read()), done, what, timeout, describe, cancellationToken);
    }

    /// <summary>Reads a value until <paramref name="done"/> accepts it, and returns that value. On timeout the failure
    /// shows the last value read, through <paramref name="describe"/> when given.</summary>
    public static async Task<T> ValueAsync<T>(
        Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null, Func<T, string>? describe = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(done);
        var limit = timeout ?? DefaultTimeout;
        var token = cancellationToken.CanBeCanceled ? cancellationToken : TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        var pause = FirstPause;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (clock.Elapsed >= limit)
            {
                Assert.Fail($"waited {limit.TotalSeconds:0.#}s for {what}; last seen: {Describe(value, describe)}");
            }

            await Task.Delay(pause, token);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
        }
    }

    /// <summary>Whether <paramref name="condition"/> comes to hold within <paramref name="timeout"/>: for a test whose
    /// assertion names the thing itself (which process outlived what), so the answer is a bool, not a failure.</summary>
    public static async Task<bool> HoldsWithinAsync(Func<bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var token = cancellationToken.CanBeCanceled ? cancellationToken : TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        var pause = FirstPause;
        while (!condition())
        {
            if (clock.Elapsed >= timeout)
            {
                return false;
            }

            await Task.Delay(pause, token);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
        }

        return true;
    }

    private static string Describe<T>(T value, Func<T, string>? describe)
    {
        var text = describe is not null ? describe(value) : value switch
        {
            null => "null",
            string s => $"\"{s}\"",
            IEnumerable items => $"[{string.Join(", ", items.Cast<object?>().Select(i => i?.ToString() ?? "null"))}]",
            _ => value.ToString() ?? "",
        };
        return text.Length <= LongestDescription ? text : string.Concat(text.AsSpan(0, LongestDescription), "…");
    }
}
