namespace HddFs.Protocol;

/// <summary>
/// Error codes as they cross the wire (u16). A receiver decodes a code it does not know as
/// <see cref="Internal"/>, so later versions may add codes. Mapped to and from
/// <see cref="HddFs.Core.RemoteError"/> only in <see cref="ErrorCodes"/>.
/// </summary>
public enum ErrorCode
{
    NotFound = 1,
    NotAFile = 2,
    BadRange = 3,
    TooLarge = 4,
    Forbidden = 5,
    Busy = 6,
    Internal = 7,
    UnsupportedVersion = 8,
    BadRequest = 9,
}
