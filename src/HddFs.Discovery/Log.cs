using HddFs.Core;
using HddFs.Discovery.Announcements;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace HddFs.Discovery;

/// <summary>
/// Every log message of HddFs.Discovery (source-generated). Hostile or garbled input is logged at
/// Debug only: a noisy LAN must not flood the log.
/// </summary>
internal static partial class Log
{
    // Manager
    [LoggerMessage(Level = LogLevel.Warning, Message = "Finder {Finder} failed to start (it should retry by itself)")]
    public static partial void FinderStartFailed(this ILogger logger, string finder, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Finder {Finder} failed to stop cleanly")]
    public static partial void FinderDisposeFailed(this ILogger logger, string finder, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading events of finder {Finder} failed")]
    public static partial void PumpFailed(this ILogger logger, string finder, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discovery loop {Loop} failed on one item; continuing")]
    public static partial void LoopFailed(this ILogger logger, string loop, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discovery keeps at most {Max} (peer, topic) entries; ignoring peer {Peer}")]
    public static partial void TooManyPeers(this ILogger logger, int max, PeerId peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovered peer {Peer} on {Topic} via {Source}")]
    public static partial void Discovered(this ILogger logger, PeerId peer, TopicKey topic, DiscoverySource source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Peer} departed from {Topic} via {Source}: {Reason}")]
    public static partial void Departed(this ILogger logger, PeerId peer, TopicKey topic, DiscoverySource source, DepartureReason reason);

    // Announcements (both mechanisms)
    [LoggerMessage(Level = LogLevel.Debug, Message = "{Finder}: ignored an announcement from {From}: {Reason}")]
    public static partial void AnnouncementIgnored(this ILogger logger, string finder, string from, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Finder}: rejected an announcement from {From}: {Reason}")]
    public static partial void AnnouncementRejected(this ILogger logger, string finder, object from, AnnouncementRejection reason);

    // MQTT
    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT: connected to {Broker}")]
    public static partial void MqttConnected(this ILogger logger, Uri broker);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT: cannot reach {Broker}: {Reason} (retrying in the background)")]
    public static partial void MqttConnectFailed(this ILogger logger, Uri broker, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: {Broker} refused the connection: {Code}")]
    public static partial void MqttConnectRefused(this ILogger logger, Uri broker, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: lost {Broker} ({Reason}); reconnecting")]
    public static partial void MqttDisconnected(this ILogger logger, Uri broker, MqttClientDisconnectReason reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: broker refused subscription {Filter}: {Code}")]
    public static partial void MqttSubscribeRefused(this ILogger logger, string filter, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: broker refused our announcement on {Topic}: {Code}")]
    public static partial void MqttPublishRefused(this ILogger logger, TopicKey topic, string code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: connection loop error; backing off")]
    public static partial void MqttLoopError(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT: could not say goodbye / clear retained announcements")]
    public static partial void MqttGoodbyeFailed(this ILogger logger, Exception exception);

    // mDNS
    [LoggerMessage(Level = LogLevel.Information, Message = "mDNS: listening on {Interface} ({Address})")]
    public static partial void MdnsListening(this ILogger logger, string @interface, System.Net.IPAddress address);

    [LoggerMessage(Level = LogLevel.Warning, Message = "mDNS: cannot use interface {Interface}: {Reason}")]
    public static partial void MdnsInterfaceFailed(this ILogger logger, string @interface, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "mDNS: receive error on {Interface}: {Reason}")]
    public static partial void MdnsReceiveError(this ILogger logger, string @interface, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "mDNS: could not send {What}: {Reason}")]
    public static partial void MdnsSendFailed(this ILogger logger, string what, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "mDNS: ignored a packet from {From}: {Reason}")]
    public static partial void MdnsGarbage(this ILogger logger, System.Net.IPEndPoint from, string reason);

    // STUN
    [LoggerMessage(Level = LogLevel.Debug, Message = "STUN: could not send to {Server}: {Reason}")]
    public static partial void StunSendFailed(this ILogger logger, System.Net.IPEndPoint server, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "STUN: no answer from {Server} after {Requests} requests")]
    public static partial void StunNoAnswer(this ILogger logger, System.Net.IPEndPoint server, int requests);

    [LoggerMessage(Level = LogLevel.Debug, Message = "STUN: {Server} answered with error {Code}")]
    public static partial void StunError(this ILogger logger, System.Net.IPEndPoint server, int code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "STUN: ignored a datagram from {From}")]
    public static partial void StunIgnored(this ILogger logger, System.Net.IPEndPoint from);
}
