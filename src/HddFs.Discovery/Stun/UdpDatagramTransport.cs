using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace HddFs.Discovery.Stun;

/// <summary>
/// <see cref="IDatagramTransport"/> over its own UDP socket. Binding to <see cref="IPAddress.IPv6Any"/>
/// makes it dual-stack (IPv4 peers appear as plain IPv4 endpoints). Received datagrams go into a
/// bounded channel that drops the oldest when nobody reads, as a socket buffer would.
/// </summary>
public sealed class UdpDatagramTransport : IDatagramTransport, IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly Channel<Datagram> _received = Channel.CreateBounded<Datagram>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private UdpDatagramTransport(Socket socket)
    {
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _loop = Task.Run(ReceiveLoopAsync);
    }

    public IPEndPoint? LocalEndPoint { get; }

    public ChannelReader<Datagram> Received => _received.Reader;

    /// <summary>Binds a UDP socket (port 0: any free port).</summary>
    public static UdpDatagramTransport Bind(IPEndPoint local)
    {
        ArgumentNullException.ThrowIfNull(local);
        var socket = new Socket(local.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (local.AddressFamily == AddressFamily.InterNetworkV6 && local.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(local);
            return new UdpDatagramTransport(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask SendAsync(IPEndPoint destination, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (_socket.DualMode && destination.AddressFamily == AddressFamily.InterNetwork)
        {
            destination = new IPEndPoint(destination.Address.MapToIPv6(), destination.Port);
        }

        await _socket.SendToAsync(datagram, SocketFlags.None, destination, cancellationToken);
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[65536];
        var any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                var from = (IPEndPoint)result.RemoteEndPoint;
                if (from.Address.IsIPv4MappedToIPv6)
                {
                    from = new IPEndPoint(from.Address.MapToIPv4(), from.Port);
                }

                _received.Writer.TryWrite(new Datagram(from, buffer.AsSpan(0, result.ReceivedBytes).ToArray()));
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (ObjectDisposedException)
            {
                break;
            }
            catch (SocketException)
            {
                // ICMP unreachable from an earlier send (ECONNREFUSED) and the like: keep receiving.
            }
        }

        _received.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _loop;
        _stop.Dispose();
    }
}
