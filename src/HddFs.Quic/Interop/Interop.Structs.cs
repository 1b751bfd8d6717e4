using System.Runtime.InteropServices;

namespace HddFs.Quic;

// Blittable mirrors of the structs in native/hddfs_quic.h, field for field, C names kept.
// HddFs.Quic.Tests compiles a C program against the header and checks every size and offset.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct hq_addr
{
    public ushort family;
    public ushort port;
    public uint scope_id;
    public fixed byte addr[16];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct hq_event
{
    public uint type;
    public uint flags;
    public ulong conn_key;
    public long stream_id;
    public ulong code;
    public nint handle;
    public ulong length;
    public int close_kind;
    public int liberr;
    public hq_addr addr;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct hq_endpoint_config
{
    public hq_addr local;
    public byte* cert_pem;
    public ulong cert_pem_len;
    public byte* key_pem;
    public ulong key_pem_len;
    public byte* alpn;
    public ulong alpn_len;
    public fixed byte reset_secret[32];
    public ulong idle_timeout_ns;
    public ulong keep_alive_ns;
    public ulong handshake_timeout_ns;
    public ulong initial_max_data;
    public ulong max_window;
    public ulong initial_max_stream_data;
    public ulong max_stream_window;
    public ulong stream_send_buffer;
    public ulong conn_send_buffer;
    public ulong max_inbound_bidi;
    public ulong max_inbound_uni;
    public ulong local_max_payload;
    public uint max_connections;
    public uint cc_algo;
    public uint flags;
    public int socket_buffer;
    public nint ctx;
    public delegate* unmanaged[Cdecl]<nint, hq_event*, uint, void> on_events;
    public delegate* unmanaged[Cdecl]<nint, ulong, byte*, uint, int> validate_key;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct hq_conn_info
{
    public hq_addr local;
    public hq_addr remote;
    public fixed byte peer_key[32];
    public int peer_key_len;
    public int is_client;
    public ulong key;
    public ulong smoothed_rtt_ns;
    public ulong min_rtt_ns;
    public ulong cwnd;
    public ulong bytes_in_flight;
    public ulong pkts_sent;
    public ulong pkts_recv;
    public ulong pkts_lost_hint;
}

[StructLayout(LayoutKind.Sequential)]
internal struct hq_endpoint_info
{
    public hq_addr local;
    public int gso;
    public int gro;
    public int ecn;
    public int rcvbuf;
    public int sndbuf;
    public int connections;
    public ulong datagrams_sent;
    public ulong packets_sent;
    public ulong packets_recv;
    public ulong stateless_resets_sent;
    public ulong dropped_datagrams;
    public ulong greased_packets;
}
