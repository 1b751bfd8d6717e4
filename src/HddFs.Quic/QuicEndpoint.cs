using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using static HddFs.Quic.Interop.HddFsQuic;

namespace HddFs.Quic;

/// <summary>
/// One UDP socket that both dials and accepts QUIC connections (over ngtcp2 0.12 + GnuTLS through
/// libhddfs_quic.so), plus non-QUIC datagrams on the same socket. A native I/O thread runs the event loop; it
/// calls <see cref="OnEvents"/> with batches of events, which only complete tasks and write to channels.
/// </summary>
/// <remarks>Thread-safe. Must be disposed: the I/O thread and the socket live until <see cref="DisposeAsync"/>.</remarks>
public sealed partial class QuicEndpoint : IAsyncDisposable
{
    private static readonly Lazy<bool> SupportProbe = new(ProbeSupport);

    // immutable
    private readonly QuicEndpointOptions _options;
    private readonly SafeHqEndpointHandle _handle;
    private readonly GCHandle _self; // the native side's pointer back to this object; freed after the I/O thread ended
    private readonly Channel<QuicConnection> _accepted;
    private readonly Channel<ReceivedDatagram> _datagrams;

    // connections by native key; touched by callers (dial) and the I/O thread (events)
    private readonly ConcurrentDictionary<ulong, QuicConnection> _connections = new();
    private readonly TaskCompletionSource _disposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposing;

    private QuicEndpoint(QuicEndpointOptions options, SafeHqEndpointHandle handle, GCHandle self, IPEndPoint local)
    {
        _options = options;
        _handle = handle;
        _self = self;
        LocalEndPoint = local;
        _accepted = Channel.CreateUnbounded<QuicConnection>(new UnboundedChannelOptions { SingleWriter = true });
        _datagrams = Channel.CreateBounded<ReceivedDatagram>(new BoundedChannelOptions(options.NonQuicDatagramCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleWriter = true,
        });
    }

    /// <summary>True when libhddfs_quic.so loads, links an ngtcp2 0.12.x and agrees with this assembly's struct layouts.</summary>
    public static bool IsSupported => SupportProbe.Value;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Datagrams that arrived on the socket and are not QUIC (first byte without the 0x40 fixed bit).
    /// Bounded (<see cref="QuicEndpointOptions.NonQuicDatagramCapacity"/>), dropping the oldest; completed on disposal.</summary>
    public ChannelReader<ReceivedDatagram> NonQuicDatagrams => _datagrams.Reader;

    internal SafeHqEndpointHandle Handle => _handle;

    /// <summary>Binds the socket and starts the I/O thread.</summary>
    /// <exception cref="QuicException">The address is in use (<see cref="QuicError.AddressInUse"/>) or the socket failed.</exception>
    /// <exception cref="ArgumentException">The options are invalid or GnuTLS rejected the certificate or key.</exception>
    public static unsafe QuicEndpoint Create(QuicEndpointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("libhddfs_quic.so (ngtcp2 0.12 + GnuTLS) is not available; run `make native`.");
        }

        var cert = Encoding.UTF8.GetBytes(options.CertificatePem);
        var key = Encoding.UTF8.GetBytes(options.PrivateKeyPem);
        var alpn = Encoding.UTF8.GetBytes(options.ApplicationProtocol);
        Span<byte> secret = stackalloc byte[32];
        if (options.StatelessResetKey.IsEmpty)
        {
            RandomNumberGenerator.Fill(secret);
        }
        else
        {
            options.StatelessResetKey.Span.CopyTo(secret);
        }

        var flags = 0u;
        flags |= options.AcceptIncomingConnections ? HQ_FLAG_ACCEPT : 0;
        flags |= options.RequireClientCertificate ? HQ_FLAG_REQUIRE_CLIENT_CERT : 0;
        flags |= options.ValidatePeerKey is not null ? HQ_FLAG_VALIDATE_CALLBACK : 0;
        flags |= options.UseGso ? 0 : HQ_FLAG_NO_GSO;
        flags |= options.UseGro ? 0 : HQ_FLAG_NO_GRO;
        flags |= options.UseEcn ? 0 : HQ_FLAG_NO_ECN;
        flags |= Environment.GetEnvironmentVariable("HDDFS_QUIC_DEBUG") == "1" ? HQ_FLAG_DEBUG_LOG : 0;

        var holder = new EndpointHolder();
        var self = GCHandle.Alloc(holder, GCHandleType.Normal);
        SafeHqEndpointHandle? handle = null;
        try
        {
            nint native;
            int rc, err;
            fixed (byte* pc = cert, pk = key, pa = alpn)
            {
                var cfg = new hq_endpoint_config
                {
                    local = QuicAddress.From(options.LocalEndPoint),
                    cert_pem = pc,
                    cert_pem_len = (ulong)cert.Length,
                    key_pem = pk,
                    key_pem_len = (ulong)key.Length,
                    alpn = pa,
                    alpn_len = (ulong)alpn.Length,
                    idle_timeout_ns = ToNanoseconds(options.IdleTimeout),
                    keep_alive_ns = ToNanoseconds(options.KeepAliveInterval),
                    handshake_timeout_ns = ToNanoseconds(options.HandshakeTimeout),
                    initial_max_data = (ulong)options.InitialConnectionReceiveWindow,
                    max_window = (ulong)options.MaxConnectionReceiveWindow,
                    initial_max_stream_data = (ulong)options.InitialStreamReceiveWindow,
                    max_stream_window = (ulong)options.MaxStreamReceiveWindow,
                    stream_send_buffer = (ulong)options.StreamSendBufferSize,
                    conn_send_buffer = (ulong)options.ConnectionSendBufferSize,
                    max_inbound_bidi = (ulong)options.MaxInboundBidirectionalStreams,
                    max_inbound_uni = (ulong)options.MaxInboundUnidirectionalStreams,
                    local_max_payload = (ulong)MaxLocalDatagramSize(options),
                    max_connections = (uint)options.MaxConnections,
                    cc_algo = (uint)options.CongestionControl,
                    flags = flags,
                    socket_buffer = options.SocketBufferSize,
                    ctx = GCHandle.ToIntPtr(self),
                    on_events = &OnEvents,
                    validate_key = &OnValidateKey,
                };
                secret.CopyTo(new Span<byte>(cfg.reset_secret, 32));
                rc = hq_endpoint_create(&cfg, out native, out err);
            }

            CryptographicOperations.ZeroMemory(key);
            if (rc != HQ_OK)
            {
                throw ThrowHelper.ForStatus(rc, 0, err, $"Binding {options.LocalEndPoint}");
            }

            handle = new SafeHqEndpointHandle(native);
            hq_endpoint_info info;
            hq_endpoint_get_info(handle, &info);
            var endpoint = new QuicEndpoint(options, handle, self, QuicAddress.ToEndPoint(info.local));
            holder.Endpoint = endpoint; // events before this point can only be datagrams: they are dropped
            return endpoint;
        }
        catch
        {
            handle?.Dispose(); // stops the I/O thread before its pointer back to us goes
            self.Free();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary><see cref="QuicEndpointOptions.MaxLocalDatagramSize"/>, unless the environment variable
    /// <see cref="QuicEndpointOptions.MaxLocalDatagramSizeVariable"/> holds a valid size for every endpoint of the
    /// process (benchmarks that emulate a WAN with a relay on 127.0.0.1 set it to 0).</summary>
    private static int MaxLocalDatagramSize(QuicEndpointOptions options)
        => int.TryParse(Environment.GetEnvironmentVariable(QuicEndpointOptions.MaxLocalDatagramSizeVariable), NumberStyles.None,
                CultureInfo.InvariantCulture, out var size) && QuicEndpointOptions.IsValidLocalDatagramSize(size)
            ? size
            : options.MaxLocalDatagramSize;

    /// <summary>Dials <paramref name="remote"/> and completes once the handshake is confirmed and the server's
    /// certificate checked (and, if given, its key equals <paramref name="expectedPeerKey"/>).</summary>
    /// <exception cref="QuicException">The handshake failed: <see cref="QuicError.PeerAuthenticationFailed"/>,
    /// <see cref="QuicError.ConnectionTimeout"/>, <see cref="QuicError.ConnectionRefused"/>, ...</exception>
    public async ValueTask<QuicConnection> ConnectAsync(IPEndPoint remote, CancellationToken cancellationToken,
        ReadOnlyMemory<byte> expectedPeerKey = default)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (!expectedPeerKey.IsEmpty && expectedPeerKey.Length != 32)
        {
            throw new ArgumentException("An Ed25519 public key is 32 bytes.", nameof(expectedPeerKey));
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposing) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var connection = CreateClient(remote, expectedPeerKey.Span);
        try
        {
            await connection.WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private unsafe QuicConnection CreateClient(IPEndPoint remote, ReadOnlySpan<byte> expectedKey)
    {
        var addr = QuicAddress.From(remote);
        int rc, err;
        nint native;
        ulong key;
        fixed (byte* k = expectedKey)
        {
            rc = hq_conn_create_client(_handle, &addr, expectedKey.IsEmpty ? null : k, (ulong)expectedKey.Length,
                out native, out key, out err);
        }

        if (rc != HQ_OK)
        {
            throw rc == HQ_ERR_CLOSED
                ? new ObjectDisposedException(nameof(QuicEndpoint))
                : ThrowHelper.ForStatus(rc, 0, err, $"Connecting to {remote}");
        }

        var connection = new QuicConnection(this, new SafeHqConnectionHandle(native), key, isClient: true, remote);
        _connections[key] = connection; // before start: every event of this connection finds it
        rc = hq_conn_start(connection.Handle);
        if (rc != HQ_OK)
        {
            _connections.TryRemove(key, out _);
            connection.Handle.Dispose();
            throw new ObjectDisposedException(nameof(QuicEndpoint));
        }

        return connection;
    }

    /// <summary>The next incoming connection whose handshake completed and whose client certificate was accepted.</summary>
    /// <exception cref="ObjectDisposedException">The endpoint was disposed.</exception>
    public async ValueTask<QuicConnection> AcceptConnectionAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _accepted.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(QuicEndpoint));
        }
    }

    /// <summary>Sends one UDP datagram (not QUIC) from this endpoint's socket, e.g. a STUN request or a hole punch.
    /// Completes when the kernel took it.</summary>
    public unsafe ValueTask SendDatagramAsync(IPEndPoint remote, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposing) != 0, this);
        var addr = QuicAddress.From(remote);
        int rc, err;
        fixed (byte* p = datagram.Span)
        {
            rc = hq_endpoint_send_datagram(_handle, &addr, p, (ulong)datagram.Length, out err);
        }

        return rc == HQ_OK
            ? ValueTask.CompletedTask
            : ValueTask.FromException(rc == HQ_ERR_CLOSED
                ? new ObjectDisposedException(nameof(QuicEndpoint))
                : ThrowHelper.ForStatus(rc, 0, err, $"Sending a datagram to {remote}"));
    }

    /// <summary>Socket-level facts (GSO/GRO in use, buffer sizes, counters) for diagnostics and benchmarks.</summary>
    internal unsafe hq_endpoint_info GetInfo()
    {
        hq_endpoint_info info;
        hq_endpoint_get_info(_handle, &info);
        return info;
    }

    /// <summary>Closes every connection gracefully (CONNECTION_CLOSE, code 0), stops the I/O thread and closes the
    /// socket. Pending operations fail with <see cref="QuicError.OperationAborted"/>. Idempotent.</summary>
    public ValueTask DisposeAsync() => DisposeCoreAsync(graceful: true);

    /// <summary>Test hook: vanishes without telling any peer (no CONNECTION_CLOSE), as a killed process would.</summary>
    internal ValueTask DisposeAbruptlyAsync() => DisposeCoreAsync(graceful: false);

    private async ValueTask DisposeCoreAsync(bool graceful)
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0)
        {
            await _disposed.Task.ConfigureAwait(false);
            return;
        }

        try
        {
            _accepted.Writer.TryComplete();
            // joins the I/O thread: it sends the CONNECTION_CLOSEs and delivers the last events first
            await Task.Run(() => hq_endpoint_shutdown(_handle, graceful ? 1 : 0, 0)).ConfigureAwait(false);
            while (_accepted.Reader.TryRead(out var never))
            {
                await never.DisposeAsync().ConfigureAwait(false);
            }

            _datagrams.Writer.TryComplete();
            _self.Free();
            _handle.Dispose();
        }
        finally
        {
            _disposed.TrySetResult();
        }
    }

    internal void Forget(ulong key) => _connections.TryRemove(key, out _);

    private static ulong ToNanoseconds(TimeSpan t) => (ulong)t.Ticks * 100;

    private static bool ProbeSupport()
    {
        try
        {
            var version = hq_ngtcp2_version();
            return version is >= 0x000c00 and < 0x000d00
                && hq_abi_size(0) == Unsafe.SizeOf<hq_addr>()
                && hq_abi_size(1) == Unsafe.SizeOf<hq_event>()
                && hq_abi_size(2) == Unsafe.SizeOf<hq_endpoint_config>()
                && hq_abi_size(3) == Unsafe.SizeOf<hq_conn_info>()
                && hq_abi_size(4) == Unsafe.SizeOf<hq_endpoint_info>();
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>What the native side's GCHandle points at: set once the endpoint object exists.</summary>
    private sealed class EndpointHolder
    {
        public volatile QuicEndpoint? Endpoint;
    }
}
