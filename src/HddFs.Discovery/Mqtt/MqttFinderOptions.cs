using System.Security.Cryptography.X509Certificates;

namespace HddFs.Discovery.Mqtt;

/// <summary>Settings of <see cref="MqttPeerFinder"/>; the defaults are what a daemon should use.</summary>
public sealed record MqttFinderOptions
{
    /// <summary>A public test broker; the daemon passes the user's <c>--mqtt URL</c> instead when given.</summary>
    public static readonly Uri DefaultBrokerUrl = new("mqtt://test.mosquitto.org:1883");

    /// <summary><c>mqtt://host[:1883]</c> (plain TCP) or <c>mqtts://host[:8883]</c> (TLS).</summary>
    public Uri BrokerUrl { get; init; } = DefaultBrokerUrl;

    /// <summary>Re-publish period of our retained announcement (also immediately on join / info change).</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>MQTT 5 message expiry of the retained announcement, and the validity announced in it;
    /// default 2 × <see cref="AnnounceInterval"/> (one lost re-publish is tolerated).</summary>
    public TimeSpan? MessageExpiry { get; init; }

    /// <summary>First reconnect delay after losing (or not reaching) the broker; doubles per failure.</summary>
    public TimeSpan ReconnectInitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the reconnect delay (±20 % jitter is applied below the cap).</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Budget for TCP + TLS + CONNECT/CONNACK, and for each acknowledged request.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>For mqtts:// with a private CA or self-signed broker: trust these roots instead of the
    /// system store (the host name is still checked). Null: the system store.</summary>
    public X509Certificate2Collection? TrustedCertificates { get; init; }

    /// <summary>Broker topic prefix; announcements live at <c>{prefix}/{rendezvous id}/{slot}</c>.</summary>
    public string TopicPrefix { get; init; } = "hddfs/v1";

    internal TimeSpan EffectiveExpiry => MessageExpiry ?? (AnnounceInterval * 2);
}
