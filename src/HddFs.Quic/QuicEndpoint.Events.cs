using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static HddFs.Quic.Interop.HddFsQuic;

namespace HddFs.Quic;

public sealed partial class QuicEndpoint
{
    /// <summary>
    /// Native → managed: a batch of events from one loop iteration, on the endpoint's I/O thread, with the native
    /// mutex released. Handlers only complete tasks, set signals and write to unbounded/dropping channels; they never
    /// block. No exception may escape into native code. Handles carried by ACCEPTED events are owned from the first
    /// line of their handler on; when nobody can take them they are released at once.
    /// </summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnEvents(nint ctx, hq_event* events, uint count)
    {
        QuicEndpoint? endpoint = null;
        try
        {
            endpoint = (GCHandle.FromIntPtr(ctx).Target as EndpointHolder)?.Endpoint;
        }
        catch (InvalidOperationException)
        {
        }

        for (uint i = 0; i < count; i++)
        {
            try
            {
                if (endpoint is null)
                {
                    ReleaseOrphan(in events[i]);
                }
                else
                {
                    endpoint.Dispatch(in events[i]);
                }
            }
#pragma warning disable CA1031 // a native callback must not throw: the event is dropped instead
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Debug.Fail($"QUIC event {events[i].type} failed: {ex}");
            }
        }
    }

    /// <summary>Native → managed, inside the TLS handshake on the I/O thread with the native mutex held.</summary>
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe int OnValidateKey(nint ctx, ulong connectionKey, byte* key, uint length)
    {
        try
        {
            var endpoint = (GCHandle.FromIntPtr(ctx).Target as EndpointHolder)?.Endpoint;
            var validate = endpoint?._options.ValidatePeerKey;
            if (validate is null)
            {
                return endpoint is null ? 0 : 1;
            }

            return validate(new ReadOnlySpan<byte>(key, (int)length).ToArray()) ? 1 : 0;
        }
#pragma warning disable CA1031 // a throwing validator rejects the peer
        catch (Exception)
#pragma warning restore CA1031
        {
            return 0;
        }
    }

    private static void ReleaseOrphan(in hq_event ev)
    {
        if (ev.type == HQ_EV_CONN_ACCEPTED)
        {
            hq_conn_release(ev.handle);
        }
        else if (ev.type == HQ_EV_STREAM_ACCEPTED)
        {
            hq_stream_release(ev.handle);
        }
    }

    private unsafe void Dispatch(in hq_event ev)
    {
        switch (ev.type)
        {
            case HQ_EV_CONN_ACCEPTED:
                OnAccepted(new SafeHqConnectionHandle(ev.handle), ev.conn_key);
                return;
            case HQ_EV_STREAM_ACCEPTED:
                {
                    var handle = new SafeHqStreamHandle(ev.handle);
                    if (!_connections.TryGetValue(ev.conn_key, out var owner) || !owner.OnStreamAccepted(handle, ev.stream_id))
                    {
                        handle.Dispose();
                    }

                    return;
                }

            case HQ_EV_DATAGRAM:
                {
                    var data = new ReadOnlySpan<byte>((void*)ev.handle, checked((int)ev.length)).ToArray();
                    _datagrams.Writer.TryWrite(new ReceivedDatagram(QuicAddress.ToEndPoint(ev.addr), data));
                    return;
                }
        }

        if (!_connections.TryGetValue(ev.conn_key, out var connection))
        {
            return;
        }

        switch (ev.type)
        {
            case HQ_EV_CONN_CONNECTED:
                connection.OnConnected();
                break;
            case HQ_EV_CONN_CLOSED:
                _connections.TryRemove(ev.conn_key, out _);
                connection.OnClosed(ThrowHelper.CloseReason(ev.close_kind, ev.code, ev.liberr));
                break;
            case HQ_EV_STREAMS_AVAILABLE:
                connection.OnStreamsAvailable();
                break;
            default:
                connection.OnStreamEvent(ev.type, ev.flags, ev.stream_id, ev.code);
                break;
        }
    }

    private void OnAccepted(SafeHqConnectionHandle handle, ulong key)
    {
        var connection = new QuicConnection(this, handle, key, isClient: false, remote: null);
        _connections[key] = connection;
        if (Volatile.Read(ref _disposing) != 0 || !_accepted.Writer.TryWrite(connection))
        {
            _connections.TryRemove(key, out _);
            handle.Dispose(); // closes it (code 0)
        }
    }
}
