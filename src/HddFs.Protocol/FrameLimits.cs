using HddFs.Core;

namespace HddFs.Protocol;

/// <summary>
/// Frame layout constants and the per-type maximum body lengths (the body includes the type byte).
/// A receiver checks the declared length against these before it buffers or allocates anything.
/// </summary>
public static class FrameLimits
{
    /// <summary>The u32 big-endian body length that starts every frame.</summary>
    public const int LengthPrefixBytes = 4;

    /// <summary>Length prefix plus type byte: what a receiver needs to judge a frame's size.</summary>
    public const int HeaderBytes = LengthPrefixBytes + 1;

    public const int MaxHelloBody = 2 * 1024;
    public const int MaxErrorBody = 1024;

    /// <summary>LsRequest and ReadRequest: a maximal path (<see cref="SharePath.MaxBytes"/>) plus a
    /// maximal search term plus headers is 4,358 bytes, so requests get 5 KiB rather than 4.</summary>
    public const int MaxRequestBody = 5 * 1024;

    public const int MaxLsPageBody = 256 * 1024;
    public const int MaxLsEndBody = 16;
    public const int MaxReadResponseBody = 16;
    public const int MaxAnnounceBody = 4 * 1024;

    /// <summary>The largest body of any type: no frame is ever longer than this plus the prefix.</summary>
    public const int MaxBody = MaxLsPageBody;

    /// <summary>The maximum body length for <paramref name="type"/>, or 0 for a type this version does not know.</summary>
    public static int MaxBodyLength(MessageType type) => type switch
    {
        MessageType.Hello => MaxHelloBody,
        MessageType.ErrorResponse => MaxErrorBody,
        MessageType.LsRequest => MaxRequestBody,
        MessageType.LsPage => MaxLsPageBody,
        MessageType.LsEnd => MaxLsEndBody,
        MessageType.ReadRequest => MaxRequestBody,
        MessageType.ReadResponse => MaxReadResponseBody,
        MessageType.Announce => MaxAnnounceBody,
        _ => 0,
    };
}
