namespace HddFs.Protocol;

/// <summary>The first byte of every frame body. 0x00 is never valid; other values are unknown messages.</summary>
public enum MessageType : byte
{
    Hello = 0x01,
    ErrorResponse = 0x02,
    LsRequest = 0x10,
    LsPage = 0x11,
    LsEnd = 0x12,
    ReadRequest = 0x20,
    ReadResponse = 0x21,
    Announce = 0x30,
}
