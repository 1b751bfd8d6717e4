using System.Net;

namespace HddFs.Daemon;

/// <summary>Everything `hddfs start` / `hddfs mount` can be told. Immutable once the daemon starts.</summary>
public sealed record DaemonOptions
{
    /// <summary>Resolved data directory (identity, share index, cache, control socket).</summary>
    public required string DataDirectory { get; init; }

    public IReadOnlyList<string> Topics { get; init; } = [];

    public IReadOnlyList<string> Shares { get; init; } = [];

    /// <summary>UDP port for QUIC (and STUN/hole punching on the same socket); 0 = ephemeral.</summary>
    public int Port { get; init; }

    /// <summary>Address to bind; IPv6Any is dual-stack.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.IPv6Any;

    /// <summary>Peers to dial directly (host:port), in addition to discovery.</summary>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>MQTT broker URL; null disables MQTT discovery.</summary>
    public Uri? MqttBroker { get; init; } = new("mqtt://test.mosquitto.org:1883");

    public bool Mdns { get; init; } = true;

    /// <summary>STUN servers ("host:port") used to learn the public address; empty disables.</summary>
    public IReadOnlyList<string> StunServers { get; init; } = [];

    /// <summary>Hard cap of the block cache in bytes.</summary>
    public long CacheSize { get; init; } = 10L << 30;

    /// <summary>Mount point for `hddfs mount`; null for `hddfs start`.</summary>
    public string? MountPoint { get; init; }

    /// <summary>Deadline of a single request to a peer before the mount answers EIO.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>How long a peer that disconnected stays visible (cached data still served).</summary>
    public TimeSpan DepartedPeerGrace { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Largest read-ahead window of a sequential reader (0 disables daemon-side prefetch).</summary>
    public long PrefetchMaxWindow { get; init; } = 64L << 20;

    public bool Verbose { get; init; }
}
