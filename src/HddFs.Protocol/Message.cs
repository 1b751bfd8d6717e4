using HddFs.Protocol.Wire;

namespace HddFs.Protocol;

/// <summary>
/// One protocol message (the body of one frame). The set is closed: the members that encode a
/// message are internal, so only this assembly defines messages. Messages are immutable values;
/// those holding lists compare them element by element.
/// </summary>
public abstract record Message
{
    private protected Message()
    {
    }

    /// <summary>The type byte that starts this message's body.</summary>
    public abstract MessageType Type { get; }

    /// <summary>Body length in bytes including the type byte. Validates the message: throws
    /// ArgumentException for a message this protocol cannot carry.</summary>
    internal abstract int MeasureBody();

    /// <summary>Writes the fields after the type byte; the caller sized the buffer with <see cref="MeasureBody"/>.</summary>
    internal abstract void WriteFields(ref BodyWriter writer);
}
