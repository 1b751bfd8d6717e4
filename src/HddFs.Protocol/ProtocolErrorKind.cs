namespace HddFs.Protocol;

/// <summary>
/// Why bytes from a peer were rejected. Every kind fails the one stream it arrived on, never the
/// connection (see docs/protocol.md, "Garbage").
/// </summary>
public enum ProtocolErrorKind
{
    /// <summary>The stream ended inside a frame (a clean end is only allowed between frames).</summary>
    Truncated = 1,

    /// <summary>The declared body length is above the maximum for its message type.</summary>
    FrameTooLarge = 2,

    /// <summary>The message type byte is not one this version knows.</summary>
    UnknownMessage = 3,

    /// <summary>The body's structure is broken: an empty frame, a body shorter than its fields, bytes
    /// after the last field, an overlong or over-64-bit varint.</summary>
    Malformed = 4,

    /// <summary>A field was read but its value breaks a rule: invalid UTF-8, an invalid share path,
    /// reserved flag bits set, a count or length over its limit, an out-of-range number.</summary>
    InvalidField = 5,

    /// <summary>The two peers have no protocol version in common.</summary>
    UnsupportedVersion = 6,

    /// <summary>A well-formed message that is not allowed at this point of the stream.</summary>
    UnexpectedMessage = 7,
}
