using HddFs.Core;

namespace HddFs.Discovery.Announcements;

/// <summary>
/// Builds and seals our own announcements: current time from the TimeProvider, a per-process
/// sequence that only increases (so two announcements in one millisecond still order), our key from
/// the signer. Thread-safe.
/// </summary>
internal sealed class AnnouncementSealer
{
    private readonly ISigner _signer;
    private readonly TimeProvider _time;
    private long _sequence;

    public AnnouncementSealer(ISigner signer, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(time);
        _signer = signer;
        _time = time;
    }

    public PeerId Self => _signer.Id;

    /// <summary>Seals <paramref name="info"/> for one topic and purpose.</summary>
    /// <param name="withEndpoints">False for mDNS, where addresses come from the packet and A/AAAA records.</param>
    public byte[] Seal(TopicKey topic, AnnouncementPurpose purpose, LocalAnnouncement info, TimeSpan validFor, bool goodbye, bool withEndpoints)
    {
        ArgumentNullException.ThrowIfNull(info);
        var endpoints = withEndpoints
            ? info.Endpoints().Select(e => new AnnouncedEndpoint(e.EndPoint, e.IsPublic)).ToList()
            : [];
        var announcement = new Announcement(
            _signer.Id,
            _time.GetUtcNow().ToUnixTimeMilliseconds(),
            (ulong)Interlocked.Increment(ref _sequence),
            goodbye,
            goodbye ? TimeSpan.Zero : Clamp(validFor),
            info.Nat,
            (ushort)info.Port,
            endpoints);
        return AnnouncementCodec.Seal(announcement, _signer, topic, purpose);
    }

    private static TimeSpan Clamp(TimeSpan validFor)
    {
        var seconds = Math.Clamp(Math.Ceiling(validFor.TotalSeconds), 1, AnnouncementCodec.MaxValidFor.TotalSeconds);
        return TimeSpan.FromSeconds(seconds);
    }
}
