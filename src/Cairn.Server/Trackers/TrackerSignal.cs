using Cairn.Server.Services;

namespace Cairn.Server.Trackers;

/// <summary>Wakes the comment delivery when a comment is queued.</summary>
internal sealed class TrackerSignal : WakeSignal;
