namespace HddFs.Protocol.Wire;

/// <summary>Dispatches a complete frame body (type byte first) to its message's decoder.</summary>
internal static class MessageCodec
{
    public static Message DecodeBody(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            throw new ProtocolException(ProtocolErrorKind.Malformed, "Empty frame: a body starts with its type byte.");
        }

        var type = (MessageType)body[0];
        var reader = new BodyReader(body[1..], type);
        return type switch
        {
            MessageType.Hello => Hello.Decode(ref reader),
            MessageType.ErrorResponse => ErrorResponse.Decode(ref reader),
            MessageType.LsRequest => LsRequest.Decode(ref reader),
            MessageType.LsPage => LsPage.Decode(ref reader),
            MessageType.LsEnd => LsEnd.Decode(ref reader),
            MessageType.ReadRequest => ReadRequest.Decode(ref reader),
            MessageType.ReadResponse => ReadResponse.Decode(ref reader),
            MessageType.Announce => Announce.Decode(ref reader),
            _ => throw UnknownType(body[0]),
        };
    }

    public static ProtocolException UnknownType(byte type)
        => new(ProtocolErrorKind.UnknownMessage, $"Unknown message type 0x{type:x2}.");
}
