using System.Buffers;
using System.Collections.ObjectModel;
using Cairn.Core.Forges;
using Cairn.Core.Triggers;

namespace Cairn.Forges.Webhooks;

/// <summary>What every forge's payloads come down to: a push or a pull request turned into a <see cref="TriggerEvent"/>,
/// or the reason it is not one. Commit SHAs and names are checked here, once, for all forges.</summary>
internal static class WebhookEvents
{
    private const int LongestName = 1024;
    private const int LongestHeader = 200;

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");
    private static readonly IReadOnlyDictionary<string, string> NoInputs = ReadOnlyDictionary<string, string>.Empty;

    public static WebhookEvent Unsupported(string eventName) =>
        new WebhookEvent.Ignored($"event '{Quote(eventName)}' is not supported");

    /// <summary>A push to <paramref name="gitRef"/> that moved it from <paramref name="before"/> to
    /// <paramref name="after"/>; a deletion (<paramref name="deleted"/> or an all-zero <paramref name="after"/>) is ignored.</summary>
    public static WebhookEvent Push(
        ForgeKind forge, string? deliveryId, string repository, string gitRef, string? before, string after, bool deleted, string? sender)
    {
        RequireName(gitRef, "ref");
        var what = TriggerEvent.BranchOf(gitRef) is { } branch ? $"branch '{Quote(branch)}'"
            : TriggerEvent.TagOf(gitRef) is { } tag ? $"tag '{Quote(tag)}'"
            : null;
        if (what is null)
        {
            return new WebhookEvent.Ignored($"ref '{Quote(gitRef)}' is neither a branch nor a tag");
        }

        if (deleted)
        {
            return new WebhookEvent.Ignored($"{what} was deleted");
        }

        if (IsZero(after))
        {
            return new WebhookEvent.Ignored($"{what} was deleted (the push's new SHA is all zeros)");
        }

        var trigger = new TriggerEvent(TriggerKind.Push, repository, gitRef, RequireSha(after, "after"), NoInputs, IdempotencyKey(forge, repository, deliveryId))
        {
            Before = ShaOrNull(before),
            Sender = NameOrNull(sender),
        };
        return new WebhookEvent.Trigger(trigger);
    }

    /// <summary>A pull request that was opened, got new commits or was reopened; <paramref name="headRef"/> is the ref
    /// the run checks out (the head branch, or the forge's own ref for a fork's head).</summary>
    public static WebhookEvent PullRequest(
        ForgeKind forge, string? deliveryId, string repository, PullRequestInfo pullRequest, string headRef, string headSha, string? sender)
    {
        RequireName(pullRequest.BaseBranch, "base branch");
        RequireName(pullRequest.HeadBranch, "head branch");
        var info = pullRequest with
        {
            BaseSha = ShaOrNull(pullRequest.BaseSha),
            HeadRepository = NameOrNull(pullRequest.HeadRepository),
            Title = pullRequest.Title is { } title ? Clip(title, LongestName) : null,
        };
        var trigger = new TriggerEvent(
            TriggerKind.PullRequest, repository, headRef, RequireSha(headSha, "head sha"), NoInputs, IdempotencyKey(forge, repository, deliveryId))
        {
            PullRequest = info,
            Sender = NameOrNull(sender),
        };
        return new WebhookEvent.Trigger(trigger);
    }

    /// <summary><c>forge:repository:delivery</c> (the repository in lower case), so a delivery the forge sends again
    /// does not start a second run, and one of another repository that happens to reuse its id still does.</summary>
    public static string? IdempotencyKey(ForgeKind forge, string repository, string? deliveryId) =>
        string.IsNullOrWhiteSpace(deliveryId) ? null : $"{forge.ToWire()}:{repository.ToLowerInvariant()}:{deliveryId}";

    /// <summary>A repository's full name from the payload: present, short and printable.</summary>
    public static string Repository(string? fullName, string field)
    {
        if (string.IsNullOrWhiteSpace(fullName))
        {
            throw new WebhookFormatException($"the payload names no repository ('{field}' is missing)");
        }

        RequireName(fullName, field);
        return fullName;
    }

    /// <summary>The event-name header's value; a delivery without one is not from this forge.</summary>
    public static string EventName(WebhookRequest request, params ReadOnlySpan<string> headers)
    {
        var value = FirstHeader(request, headers) ?? throw new WebhookFormatException($"the {headers[0]} header is missing");
        return value.Length <= LongestHeader && !value.Any(char.IsControl)
            ? value
            : throw new WebhookFormatException($"the {headers[0]} header is not an event name");
    }

    /// <summary>The delivery id, when there is one fit to be part of a key: short and printable.</summary>
    public static string? DeliveryId(WebhookRequest request, params ReadOnlySpan<string> headers) =>
        FirstHeader(request, headers) is { Length: <= LongestHeader } value && !value.Any(char.IsControl) ? value : null;

    public static bool IsZero(string sha) => sha.Length > 0 && sha.AsSpan().IndexOfAnyExcept('0') < 0;

    /// <summary>A commit SHA as forges send it: 7 (Bitbucket's short form) to 64 (SHA-256 repositories) hex digits.</summary>
    public static bool IsSha(string? value) => value is { Length: >= 7 and <= 64 } && !value.AsSpan().ContainsAnyExcept(HexDigits);

    /// <summary>A sender-chosen string made fit to quote in a message: printable and short.</summary>
    public static string Quote(string value) => string.Concat(Clip(value, 100).Select(c => char.IsControl(c) ? '?' : c));

    private static string RequireSha(string value, string field) =>
        IsSha(value) ? value.ToLowerInvariant() : throw new WebhookFormatException($"'{field}' is not a commit SHA");

    private static string? ShaOrNull(string? value) => value is not null && IsSha(value) && !IsZero(value) ? value.ToLowerInvariant() : null;

    private static string? NameOrNull(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Length > LongestName || value.Any(char.IsControl) ? null : value;

    private static void RequireName(string value, string field)
    {
        if (value.Length == 0 || value.Length > LongestName || value.Any(char.IsControl))
        {
            throw new WebhookFormatException($"'{field}' is not a usable name");
        }
    }

    private static string? FirstHeader(WebhookRequest request, ReadOnlySpan<string> headers)
    {
        foreach (var header in headers)
        {
            if (request.Header(header) is { } value && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return null;
    }

    private static string Clip(string value, int length) =>
        value.Length <= length ? value : value[..(char.IsHighSurrogate(value[length - 1]) ? length - 1 : length)];
}
