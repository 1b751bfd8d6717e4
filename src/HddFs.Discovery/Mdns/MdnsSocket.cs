using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace HddFs.Discovery.Mdns;

/// <summary>A datagram received by an <see cref="MdnsSocket"/>.</summary>
internal sealed record MdnsPacket(MdnsSocket Socket, IPEndPoint From, byte[] Data);

/// <summary>
/// One UDP socket per interface, bound to 0.0.0.0:5353 with SO_REUSEADDR/SO_REUSEPORT (so other mDNS
/// responders and other hddfs daemons on the host share the port), joined to 224.0.0.251 on that
/// interface only, sending out of it (IP_MULTICAST_IF: works without a default route), looping our
/// own multicast back (other instances on this host must hear us), TTL 255 (RFC 6762 §11).
/// On Linux IP_MULTICAST_ALL is turned off so the socket hears only its own interface's group traffic.
/// A receive loop copies datagrams into the finder's bounded channel (dropping when it is full, as
/// UDP would).
/// </summary>
internal sealed class MdnsSocket : IDisposable
{
    public const int Port = 5353;
    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.251");
    public static readonly IPEndPoint GroupEndPoint = new(Group, Port);

    private const int IpMulticastAll = 49; // linux/in.h

    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private Task? _receive;

    private MdnsSocket(MdnsInterface iface, Socket socket)
    {
        Interface = iface;
        _socket = socket;
    }

    public MdnsInterface Interface { get; }

    /// <summary>Creates and configures the socket; call in the right network context.</summary>
    public static MdnsSocket Open(MdnsInterface iface)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (OperatingSystem.IsLinux())
            {
                socket.SetRawSocketOption((int)SocketOptionLevel.IP, IpMulticastAll, BitConverter.GetBytes(0));
            }

            socket.Bind(new IPEndPoint(IPAddress.Any, Port));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Group, iface.Index));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(iface.Index));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.IpTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            return new MdnsSocket(iface, socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts copying received datagrams into <paramref name="sink"/>.</summary>
    public void StartReceiving(ChannelWriter<object> sink, Action<Exception> onError)
        => _receive = Task.Run(() => ReceiveLoopAsync(sink, onError, _stop.Token));

    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint to, CancellationToken cancellationToken)
        => _socket.SendToAsync(datagram, SocketFlags.None, to, cancellationToken);

    private async Task ReceiveLoopAsync(ChannelWriter<object> sink, Action<Exception> onError, CancellationToken cancellationToken)
    {
        var buffer = new byte[DnsMessageReader.MaxMessageLength + 1];
        var any = new IPEndPoint(IPAddress.Any, 0);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var result = await _socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, cancellationToken);
                // Our group traffic only arrives for our interface; anything arriving elsewhere (e.g.
                // a unicast on the shared port) is left to that interface's socket.
                if (result.PacketInformation.Interface != Interface.Index || result.ReceivedBytes > DnsMessageReader.MaxMessageLength)
                {
                    continue;
                }

                sink.TryWrite(new MdnsPacket(this, (IPEndPoint)result.RemoteEndPoint, buffer[..result.ReceivedBytes]));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                onError(ex);
                try
                {
                    await Task.Delay(100, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _receive?.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
