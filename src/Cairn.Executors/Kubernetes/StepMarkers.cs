using System.Globalization;

namespace Cairn.Executors.Kubernetes;

/// <summary>What the pod's supervisor says about a step between the steps' own output lines.</summary>
internal enum StepMarkerKind
{
    /// <summary><c>start:I</c> — step I begins.</summary>
    Start,

    /// <summary><c>end:I:CODE</c> — step I exited with CODE.</summary>
    End,

    /// <summary><c>timeout:I</c> — the supervisor stopped step I when its own timeout ran out.</summary>
    Timeout,

    /// <summary><c>oom:I:CODE</c> — step I ended with CODE and the container's memory limit killed a process meanwhile.</summary>
    OutOfMemory,

    /// <summary><c>term:I</c> — step I was stopped because the pod is being stopped (cancel, the job's timeout).</summary>
    Terminated,

    /// <summary><c>skip:I</c> — step I's condition did not hold, so the supervisor did not run it.</summary>
    Skipped,

    /// <summary><c>done</c> — every step is accounted for; the supervisor exits.</summary>
    Done,
}

/// <summary>One supervisor marker.</summary>
internal readonly record struct StepMarker(StepMarkerKind Kind, int Index, int? ExitCode);

/// <summary>The one line format the pod's supervisor marks step boundaries with: <c>##cairn:NONCE:VERB[:INDEX[:CODE]]</c>,
/// written on a line of its own (or at the end of a step's last line when that had no newline). NONCE is random per
/// job attempt and never reaches a step, so nothing a step prints can pass for a marker.</summary>
internal static class StepMarkers
{
    private const string Lead = "##cairn:";

    /// <summary>The text the supervisor prints for a marker (without the newline).</summary>
    public static string Format(string nonce, StepMarker marker) => marker.Kind switch
    {
        StepMarkerKind.Done => $"{Lead}{nonce}:done",
        StepMarkerKind.End or StepMarkerKind.OutOfMemory =>
            string.Create(CultureInfo.InvariantCulture, $"{Lead}{nonce}:{Verb(marker.Kind)}:{marker.Index}:{marker.ExitCode ?? 0}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Lead}{nonce}:{Verb(marker.Kind)}:{marker.Index}"),
    };

    /// <summary>The prefix every marker of the job starts with: what the supervisor script prints before the verb.</summary>
    public static string Prefix(string nonce) => Lead + nonce + ":";

    /// <summary>Splits a line of the main container's log into what a step printed before a marker (null when the marker
    /// is the whole line) and the marker. False when the line holds no marker of this nonce: it is all output.</summary>
    public static bool TryParse(string line, string nonce, out string? before, out StepMarker marker)
    {
        ArgumentNullException.ThrowIfNull(line);
        before = null;
        marker = default;
        var prefix = Prefix(nonce);
        var at = line.LastIndexOf(prefix, StringComparison.Ordinal);
        if (at < 0)
        {
            return false;
        }

        var parts = line[(at + prefix.Length)..].Split(':');
        StepMarkerKind? kind = parts[0] switch
        {
            "start" => StepMarkerKind.Start,
            "end" => StepMarkerKind.End,
            "timeout" => StepMarkerKind.Timeout,
            "oom" => StepMarkerKind.OutOfMemory,
            "term" => StepMarkerKind.Terminated,
            "skip" => StepMarkerKind.Skipped,
            "done" => StepMarkerKind.Done,
            _ => null,
        };
        if (kind is not { } k)
        {
            return false;
        }

        var wantsIndex = k != StepMarkerKind.Done;
        var wantsCode = k is StepMarkerKind.End or StepMarkerKind.OutOfMemory;
        if (parts.Length != 1 + (wantsIndex ? 1 : 0) + (wantsCode ? 1 : 0))
        {
            return false;
        }

        var index = 0;
        int? code = null;
        if (wantsIndex && !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            return false;
        }

        if (wantsCode)
        {
            if (!int.TryParse(parts[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var c))
            {
                return false;
            }

            code = c;
        }

        before = at > 0 ? line[..at] : null;
        marker = new StepMarker(k, index, code);
        return true;
    }

    private static string Verb(StepMarkerKind kind) => kind switch
    {
        StepMarkerKind.Start => "start",
        StepMarkerKind.End => "end",
        StepMarkerKind.Timeout => "timeout",
        StepMarkerKind.OutOfMemory => "oom",
        StepMarkerKind.Terminated => "term",
        StepMarkerKind.Skipped => "skip",
        _ => "done",
    };
}
