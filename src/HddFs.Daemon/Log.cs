using Microsoft.Extensions.Logging;

namespace HddFs.Daemon;

/// <summary>Source-generated log messages of the daemon.</summary>
internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Information, Message = "hddfs {Name} ({Fingerprint}) listening on UDP {Endpoint}; data in {DataDirectory}")]
    public static partial void Started(ILogger logger, string name, string fingerprint, System.Net.IPEndPoint endpoint, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sharing {Directory} as {Name}")]
    public static partial void Sharing(ILogger logger, string directory, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Joined topic {Topic}")]
    public static partial void JoinedTopic(ILogger logger, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No topic joined: nobody can connect until you run `hddfs topics join NAME`")]
    public static partial void NoTopics(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mounted the party at {MountPoint}")]
    public static partial void Mounted(ILogger logger, string mountPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "The mount at {MountPoint} went away; stopping")]
    public static partial void MountGone(ILogger logger, string mountPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discovery: {Mechanisms}")]
    public static partial void DiscoveryStarted(ILogger logger, IEnumerable<string> mechanisms);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Discovered {Peer} via {Source} at {Endpoints}")]
    public static partial void Discovered(ILogger logger, HddFs.Core.PeerId peer, HddFs.Discovery.DiscoverySource source, IEnumerable<System.Net.IPEndPoint> endpoints);

    [LoggerMessage(Level = LogLevel.Information, Message = "NAT: {Type}, public endpoint {Public}")]
    public static partial void NatDetected(ILogger logger, HddFs.Discovery.NatType type, System.Net.IPEndPoint? @public);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "STUN failed: {Reason}; the public address stays unknown")]
    public static partial void StunFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down")]
    public static partial void ShuttingDown(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutdown step {Step} failed")]
    public static partial void ShutdownStepFailed(ILogger logger, Exception exception, string step);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discovery pump stopped")]
    public static partial void DiscoveryPumpFailed(ILogger logger, Exception exception);
}
