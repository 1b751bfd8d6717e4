namespace HddFs.Protocol;

/// <summary>
/// Version negotiation. Each side's hello states the range [MinVersion, Version] it speaks; the
/// connection uses the highest version both speak. With none in common the server answers
/// <see cref="ErrorCode.UnsupportedVersion"/> and both sides close.
/// </summary>
public static class ProtocolVersion
{
    /// <summary>The version this code speaks best.</summary>
    public const ushort Current = 1;

    /// <summary>The oldest version this code still speaks.</summary>
    public const ushort Minimum = 1;

    public static bool TryNegotiate(Hello local, Hello remote, out ushort version)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);
        var highest = Math.Min(local.Version, remote.Version);
        var lowest = Math.Max(local.MinVersion, remote.MinVersion);
        version = highest >= lowest ? highest : (ushort)0;
        return version != 0;
    }

    /// <summary>The agreed version; <see cref="ProtocolException"/> (<see cref="ProtocolErrorKind.UnsupportedVersion"/>) when there is none.</summary>
    public static ushort Negotiate(Hello local, Hello remote)
        => TryNegotiate(local, remote, out var version)
            ? version
            : throw new ProtocolException(
                ProtocolErrorKind.UnsupportedVersion,
                $"No common protocol version: we speak {local.MinVersion}..{local.Version}, the peer {remote.MinVersion}..{remote.Version}.");
}
