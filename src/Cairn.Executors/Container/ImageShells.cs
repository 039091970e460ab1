using System.Collections.Concurrent;

namespace Cairn.Executors.Container;

/// <summary>Whether each image has bash, by image id, decided once per image on an executor: looking costs the engine
/// a round trip per place bash may be, on every job. An id names an image's content, so a tag moved to another image
/// is looked at again.</summary>
internal sealed class ImageShells
{
    /// <summary>More images than a worker runs in a day: past it the table starts over rather than grow.</summary>
    private const int MaxImages = 1024;

    private readonly ConcurrentDictionary<string, bool> _hasBash = new(StringComparer.Ordinal);

    /// <summary>What was found for <paramref name="imageId"/>, or null when nobody looked yet.</summary>
    public bool? HasBash(string imageId) => _hasBash.TryGetValue(imageId, out var has) ? has : null;

    public void Remember(string imageId, bool hasBash)
    {
        if (_hasBash.Count >= MaxImages)
        {
            _hasBash.Clear();
        }

        _hasBash[imageId] = hasBash;
    }
}
