using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HddFs.Bench.Infra;

/// <summary>
/// A user-space UDP relay on 127.0.0.1 that delays every datagram by a fixed one-way delay in each direction,
/// preserving order (tc netem is not available here). One client: datagrams to <see cref="Port"/> go to the
/// upstream from the proxy's own socket, and the upstream's answers go back to whoever last sent to
/// <see cref="Port"/> (so the server sees the proxy's address as the client's). Each direction has a bounded
/// queue; datagrams arriving at a full queue are dropped and counted, like a router's tail drop.
/// Four threads: a receiver and a sender per direction; a sender sleeps until its next datagram is due with an
/// absolute clock_nanosleep on CLOCK_MONOTONIC (accurate to the timer slack, ~50 µs), never spinning.
/// </summary>
internal sealed class UdpDelayProxy : IDisposable
{
    private const int MaxDatagram = 65_536;
    private const int SocketBuffer = 8 << 20;

    private readonly Socket _front;
    private readonly Socket _back;
    private readonly long _delayTicks;
    private readonly BlockingCollection<Datagram> _up;
    private readonly BlockingCollection<Datagram> _down;
    private readonly SocketAddress _client;
    private readonly List<Thread> _threads = [];
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _hasClient;
    private long _forwarded;
    private long _dropped;

    public UdpDelayProxy(IPEndPoint upstream, TimeSpan oneWayDelay, int queueCapacity = 16_384)
    {
        OneWayDelay = oneWayDelay;
        _delayTicks = (long)(oneWayDelay.TotalSeconds * Stopwatch.Frequency);
        _up = new BlockingCollection<Datagram>(queueCapacity);
        _down = new BlockingCollection<Datagram>(queueCapacity);
        _front = NewSocket();
        _front.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back = NewSocket();
        _back.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _back.Connect(upstream);
        _client = new IPEndPoint(IPAddress.Loopback, 0).Serialize();
        Port = ((IPEndPoint)_front.LocalEndPoint!).Port;
        Start("proxy-rx-client", () => ReceiveLoop(_front, _up, fromClient: true));
        Start("proxy-rx-server", () => ReceiveLoop(_back, _down, fromClient: false));
        Start("proxy-tx-server", () => SendLoop(_up, toClient: false));
        Start("proxy-tx-client", () => SendLoop(_down, toClient: true));
    }

    /// <summary>The port the client dials instead of the upstream's.</summary>
    public int Port { get; }

    public TimeSpan OneWayDelay { get; }

    public long Forwarded => Interlocked.Read(ref _forwarded);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Datagrams the kernel dropped because one of the proxy's sockets had a full receive buffer (the
    /// relay could not keep up): the "drops" column of /proc/net/udp for its two ports.</summary>
    public long KernelDrops
    {
        get
        {
            var ports = new[] { Port, ((IPEndPoint)_back.LocalEndPoint!).Port }.Select(p => p.ToString("X4", CultureInfo.InvariantCulture)).ToHashSet();
            long drops = 0;
            foreach (var line in File.ReadLines("/proc/net/udp").Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 12 && fields[1].StartsWith("0100007F:", StringComparison.Ordinal) && ports.Contains(fields[1][9..])
                    && long.TryParse(fields[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    drops += value;
                }
            }

            return drops;
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _front.Dispose();
        _back.Dispose();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(5));
        }

        Drain(_up);
        Drain(_down);
        _up.Dispose();
        _down.Dispose();
        _stop.Dispose();
    }

    private static Socket NewSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        if (Prerequisites.IsRoot)
        {
            // SO_RCVBUFFORCE / SO_SNDBUFFORCE: beyond net.core.rmem_max, for this socket only.
            socket.SetRawSocketOption(1, 33, BitConverter.GetBytes(SocketBuffer));
            socket.SetRawSocketOption(1, 32, BitConverter.GetBytes(SocketBuffer));
        }
        else
        {
            socket.ReceiveBufferSize = SocketBuffer;
            socket.SendBufferSize = SocketBuffer;
        }

        return socket;
    }

    private static void Drain(BlockingCollection<Datagram> queue)
    {
        while (queue.TryTake(out var datagram))
        {
            ArrayPool<byte>.Shared.Return(datagram.Buffer);
        }
    }

    private void Start(string name, Action loop)
    {
        var thread = new Thread(() => loop()) { IsBackground = true, Name = name };
        _threads.Add(thread);
        thread.Start();
    }

    private void ReceiveLoop(Socket socket, BlockingCollection<Datagram> queue, bool fromClient)
    {
        var buffer = new byte[MaxDatagram];
        var from = new IPEndPoint(IPAddress.Loopback, 0).Serialize();
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = fromClient ? socket.ReceiveFrom(buffer, SocketFlags.None, from) : socket.Receive(buffer);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // ICMP from a vanished upstream, or an oversized datagram: keep relaying.
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
            {
                return;
            }

            var due = Stopwatch.GetTimestamp() + _delayTicks;
            if (fromClient && (!_hasClient || !from.Equals(_client)))
            {
                lock (_client)
                {
                    from.Buffer.Span[..from.Size].CopyTo(_client.Buffer.Span);
                    _client.Size = from.Size;
                }

                _hasClient = true;
            }

            var copy = ArrayPool<byte>.Shared.Rent(length);
            buffer.AsSpan(0, length).CopyTo(copy);
            if (!queue.TryAdd(new Datagram(copy, length, due)))
            {
                ArrayPool<byte>.Shared.Return(copy);
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    private void SendLoop(BlockingCollection<Datagram> queue, bool toClient)
    {
        var target = new IPEndPoint(IPAddress.Loopback, 0).Serialize();
        try
        {
            foreach (var datagram in queue.GetConsumingEnumerable(_stop.Token))
            {
                WaitUntil(datagram.Due);
                try
                {
                    if (toClient)
                    {
                        lock (_client)
                        {
                            _client.Buffer.Span[.._client.Size].CopyTo(target.Buffer.Span);
                            target.Size = _client.Size;
                        }

                        _front.SendTo(datagram.Buffer.AsSpan(0, datagram.Length), SocketFlags.None, target);
                    }
                    else
                    {
                        _back.Send(datagram.Buffer.AsSpan(0, datagram.Length));
                    }

                    Interlocked.Increment(ref _forwarded);
                }
                catch (SocketException)
                {
                    Interlocked.Increment(ref _dropped);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(datagram.Buffer);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void WaitUntil(long due)
    {
        if (Stopwatch.GetTimestamp() >= due || _stop.IsCancellationRequested)
        {
            return;
        }

        if (PreciseSleep.Supported)
        {
            PreciseSleep.Until(due);
            return;
        }

        while (!_stop.IsCancellationRequested && Stopwatch.GetTimestamp() < due)
        {
            Thread.Sleep(1);
        }
    }

    private readonly record struct Datagram(byte[] Buffer, int Length, long Due);
}
