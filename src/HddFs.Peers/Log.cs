using System.Net;
using HddFs.Core;
using Microsoft.Extensions.Logging;

namespace HddFs.Peers;

/// <summary>Source-generated log messages of the peer layer.</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to {Peer} at {Address} ({Direction}); topics in common: {Topics}")]
    public static partial void Connected(ILogger logger, PeerLabel peer, EndPoint address, string direction, int topics);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disconnected from {Peer}: {Reason}")]
    public static partial void Disconnected(ILogger logger, PeerLabel peer, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Peer} left (not seen for {Grace})")]
    public static partial void PeerDeparted(ILogger logger, PeerLabel peer, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a connection from {Address}: {Reason}")]
    public static partial void Refused(ILogger logger, EndPoint address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hello with {Address} failed: {Reason}")]
    public static partial void HelloFailed(ILogger logger, EndPoint address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A party change handler failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cannot reach {Address} yet: {Reason}")]
    public static partial void ManualDialFailed(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Dialing {Address} failed: {Reason}")]
    public static partial void DialFailed(ILogger logger, EndPoint address, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing duplicate connection to {Peer} (keeping the one dialed by the smaller key)")]
    public static partial void DuplicateClosed(ILogger logger, PeerLabel peer);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Request from {Peer} failed: {Error}")]
    public static partial void RequestFailed(ILogger logger, PeerLabel peer, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unexpected failure serving {Peer}")]
    public static partial void ServeCrashed(ILogger logger, Exception exception, PeerLabel peer);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reconnecting to {Peer} in {Delay}")]
    public static partial void ReconnectScheduled(ILogger logger, PeerLabel peer, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot resolve peer address {Address}: {Reason}")]
    public static partial void ResolveFailed(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accept loop failed")]
    public static partial void AcceptFailed(ILogger logger, Exception exception);
}

/// <summary>A peer as logs show it ("brave-otter (1a2b3c4d)"), formatted only when a message is written.</summary>
internal readonly record struct PeerLabel(PeerId Id)
{
    public override string ToString() => PeerName.Display(Id);
}
