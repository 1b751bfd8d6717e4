namespace HddFs.Quic;

/// <summary>Which side(s) of a stream <see cref="QuicStream.Abort"/> ends.</summary>
[Flags]
public enum QuicAbortDirection
{
    /// <summary>Stop receiving: sends STOP_SENDING.</summary>
    Read = 1,

    /// <summary>Stop sending: sends RESET_STREAM, buffered data is discarded.</summary>
    Write = 2,

    Both = Read | Write,
}
