using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace HddFs.Testing;

/// <summary>What a <see cref="StunResponder"/> puts in its Binding success responses.</summary>
public enum StunResponderMode
{
    /// <summary>XOR-MAPPED-ADDRESS only (what RFC 5389 servers send).</summary>
    XorMapped,

    /// <summary>MAPPED-ADDRESS only (an RFC 3489-era server).</summary>
    MappedOnly,

    /// <summary>Both attributes, XOR-MAPPED-ADDRESS last.</summary>
    Both,

    /// <summary>A Binding error response (400 Bad Request) instead of success.</summary>
    Error,
}

/// <summary>
/// A minimal RFC 5389 STUN server for tests, written independently of the client under test: it
/// answers Binding requests with the source address it saw (optionally with its port shifted by
/// <see cref="PortOffset"/>, to make two responders disagree the way a symmetric NAT does), can drop
/// the first requests (to exercise retransmission), and counts what it received. Binds a UDP port on
/// the given address, optionally inside a <see cref="NetworkNamespace"/>.
/// </summary>
public sealed class StunResponder : IDisposable
{
    private const uint MagicCookie = 0x2112A442;
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;
    private int _toDrop;

    public StunResponder(IPAddress? bindAddress = null, StunResponderMode mode = StunResponderMode.XorMapped, int portOffset = 0, int dropFirst = 0, NetworkNamespace? inside = null)
    {
        bindAddress ??= IPAddress.Loopback;
        Mode = mode;
        PortOffset = portOffset;
        _toDrop = dropFirst;
        Socket Open()
        {
            var s = new Socket(bindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(bindAddress, 0));
            return s;
        }

        _socket = inside is null ? Open() : inside.Run(Open);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(ServeAsync);
    }

    public IPEndPoint EndPoint { get; }

    public StunResponderMode Mode { get; }

    /// <summary>Added to the source port in the reported mapped address.</summary>
    public int PortOffset { get; }

    /// <summary>Binding requests received (dropped ones included).</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>The source of the last Binding request, as seen by this responder.</summary>
    public IPEndPoint? LastSource { get; private set; }

    private async Task ServeAsync()
    {
        var buffer = new byte[2048];
        var any = new IPEndPoint(EndPoint.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. ICMP port unreachable from an earlier reply
            }

            var request = buffer.AsSpan(0, received.ReceivedBytes);
            var source = (IPEndPoint)received.RemoteEndPoint;
            if (!IsBindingRequest(request))
            {
                continue;
            }

            Interlocked.Increment(ref _requests);
            LastSource = source;
            if (Interlocked.Decrement(ref _toDrop) >= 0)
            {
                continue;
            }

            var reply = BuildResponse(request[8..20], source);
            try
            {
                await _socket.SendToAsync(reply, SocketFlags.None, source, _stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private static bool IsBindingRequest(ReadOnlySpan<byte> m)
        => m.Length >= 20
           && BinaryPrimitives.ReadUInt16BigEndian(m) == 0x0001
           && BinaryPrimitives.ReadUInt16BigEndian(m[2..]) == m.Length - 20
           && BinaryPrimitives.ReadUInt32BigEndian(m[4..]) == MagicCookie;

    private byte[] BuildResponse(ReadOnlySpan<byte> transactionId, IPEndPoint source)
    {
        var mapped = new IPEndPoint(source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address, (source.Port + PortOffset) & 0xFFFF);
        var attributes = new List<byte[]>();
        if (Mode == StunResponderMode.Error)
        {
            // ERROR-CODE: 0,0, class 4, number 0, reason.
            attributes.Add(Attribute(0x0009, [0, 0, 4, 0, .. "Bad Request"u8]));
        }
        else
        {
            if (Mode is StunResponderMode.MappedOnly or StunResponderMode.Both)
            {
                attributes.Add(Attribute(0x0001, AddressValue(mapped, null)));
            }

            if (Mode is StunResponderMode.XorMapped or StunResponderMode.Both)
            {
                attributes.Add(Attribute(0x0020, AddressValue(mapped, transactionId.ToArray())));
            }
        }

        var body = attributes.SelectMany(a => a).ToArray();
        var message = new byte[20 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(message, Mode == StunResponderMode.Error ? (ushort)0x0111 : (ushort)0x0101);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)body.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), MagicCookie);
        transactionId.CopyTo(message.AsSpan(8));
        body.CopyTo(message, 20);
        return message;
    }

    /// <summary>An address attribute value; XORed with the cookie (and transaction id) when given one.</summary>
    private static byte[] AddressValue(IPEndPoint endPoint, byte[]? xorTransactionId)
    {
        var address = endPoint.Address.GetAddressBytes();
        var value = new byte[4 + address.Length];
        value[1] = address.Length == 4 ? (byte)0x01 : (byte)0x02;
        var port = (ushort)endPoint.Port;
        if (xorTransactionId is not null)
        {
            port ^= (ushort)(MagicCookie >> 16);
            Span<byte> pad = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32BigEndian(pad, MagicCookie);
            xorTransactionId.CopyTo(pad[4..]);
            for (var i = 0; i < address.Length; i++)
            {
                address[i] ^= pad[i];
            }
        }

        BinaryPrimitives.WriteUInt16BigEndian(value.AsSpan(2), port);
        address.CopyTo(value, 4);
        return value;
    }

    private static byte[] Attribute(ushort type, byte[] value)
    {
        var padded = (value.Length + 3) & ~3;
        var attribute = new byte[4 + padded];
        BinaryPrimitives.WriteUInt16BigEndian(attribute, type);
        BinaryPrimitives.WriteUInt16BigEndian(attribute.AsSpan(2), (ushort)value.Length);
        value.CopyTo(attribute, 4);
        return attribute;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
