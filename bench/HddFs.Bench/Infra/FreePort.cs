using System.Net;
using System.Net.Sockets;

namespace HddFs.Bench.Infra;

/// <summary>Ports the kernel just handed out (free at that moment; a small race is acceptable for a bench).</summary>
internal static class FreePort
{
    public static int Tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A UDP port free on the dual-stack wildcard address, which is what the daemon binds.</summary>
    public static int Udp()
    {
        using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp) { DualMode = true };
        socket.Bind(new IPEndPoint(IPAddress.IPv6Any, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
