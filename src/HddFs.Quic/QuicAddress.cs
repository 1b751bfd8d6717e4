using System.Net;
using System.Net.Sockets;

namespace HddFs.Quic;

/// <summary>IPEndPoint ↔ hq_addr. IPv4-mapped IPv6 addresses travel as IPv4 in both directions; the shim maps
/// them for a dual-stack socket.</summary>
internal static class QuicAddress
{
    public static unsafe hq_addr From(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        var address = endPoint.Address;
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var result = default(hq_addr);
        result.port = checked((ushort)endPoint.Port);
        var bytes = new Span<byte>(result.addr, 16);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            result.family = 4;
            address.TryWriteBytes(bytes, out _);
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            result.family = 6;
            result.scope_id = (uint)address.ScopeId;
            address.TryWriteBytes(bytes, out _);
        }
        else
        {
            throw new ArgumentException("Only IPv4 and IPv6 endpoints are supported.", nameof(endPoint));
        }

        return result;
    }

    public static unsafe IPEndPoint ToEndPoint(in hq_addr a)
    {
        fixed (byte* p = a.addr)
        {
            if (a.family == 4)
            {
                return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(p, 4)), a.port);
            }

            if (a.family == 6)
            {
                return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(p, 16), a.scope_id), a.port);
            }
        }

        return new IPEndPoint(IPAddress.None, 0);
    }
}
