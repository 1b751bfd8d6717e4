using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace HddFs.Bench.Infra;

/// <summary>Checks what a <see cref="UdpDelayProxy"/> with a given delay really does on this machine: the median
/// round trip of small datagrams to an echo socket through it.</summary>
internal static class UdpProxyCheck
{
    public static TimeSpan MedianRoundTrip(TimeSpan oneWayDelay, int samples = 15)
    {
        using var echo = Bound();
        var echoThread = Background("udp-echo", () =>
        {
            var buffer = new byte[2048];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                var length = echo.ReceiveFrom(buffer, ref from);
                echo.SendTo(buffer.AsSpan(0, length), from);
            }
        });
        try
        {
            using var proxy = new UdpDelayProxy((IPEndPoint)echo.LocalEndPoint!, oneWayDelay);
            using var client = Bound();
            client.ReceiveTimeout = 2000;
            client.Connect(new IPEndPoint(IPAddress.Loopback, proxy.Port));
            var buffer = new byte[64];
            var times = new List<TimeSpan>();
            for (var i = 0; i < samples; i++)
            {
                var started = Stopwatch.GetTimestamp();
                client.Send(buffer);
                client.Receive(buffer);
                times.Add(Stopwatch.GetElapsedTime(started));
            }

            times.Sort();
            return times[times.Count / 2];
        }
        finally
        {
            echo.Close();
            echoThread.Join(TimeSpan.FromSeconds(5));
        }
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        if (Prerequisites.IsRoot)
        {
            socket.SetRawSocketOption(1, 33, BitConverter.GetBytes(8 << 20)); // SO_RCVBUFFORCE
        }

        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static Thread Background(string name, Action loop)
    {
        var thread = new Thread(() =>
        {
            try
            {
                loop();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }
}
