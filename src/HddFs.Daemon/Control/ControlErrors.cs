using System.Net;
using HddFs.Core;

namespace HddFs.Daemon.Control;

/// <summary>
/// The one error map of the control boundary: peer errors and control errors → stable code strings,
/// HTTP statuses and CLI exit statuses, and back.
/// </summary>
public static class ControlErrors
{
    public static ControlError FromRemote(RemoteError error) => error switch
    {
        RemoteError.NotFound => ControlError.NotFound,
        RemoteError.NotAFile => ControlError.NotAFile,
        RemoteError.BadRange => ControlError.BadRange,
        RemoteError.TooLarge => ControlError.BadRequest,
        RemoteError.Forbidden => ControlError.Forbidden,
        RemoteError.Busy => ControlError.Busy,
        RemoteError.Unavailable => ControlError.Unavailable,
        RemoteError.Timeout => ControlError.Timeout,
        _ => ControlError.PeerError,
    };

    public static HttpStatusCode ToHttpStatus(ControlError error) => error switch
    {
        ControlError.BadRequest or ControlError.BadRange => HttpStatusCode.BadRequest,
        ControlError.UnknownPeer or ControlError.NotFound => HttpStatusCode.NotFound,
        ControlError.AmbiguousPeer or ControlError.Conflict => HttpStatusCode.Conflict,
        ControlError.NotAFile => HttpStatusCode.UnprocessableEntity,
        ControlError.Forbidden => HttpStatusCode.Forbidden,
        ControlError.Busy => HttpStatusCode.TooManyRequests,
        ControlError.Unavailable or ControlError.PeerError => HttpStatusCode.BadGateway,
        ControlError.Timeout => HttpStatusCode.GatewayTimeout,
        _ => HttpStatusCode.InternalServerError,
    };

    /// <summary>Exit statuses of the CLI: 0 ok, 1 generic, 2 usage (System.CommandLine), 3+ specific.</summary>
    public static int ToExitCode(ControlError error) => error switch
    {
        ControlError.BadRequest or ControlError.BadRange => 2,
        ControlError.DaemonNotRunning => 3,
        ControlError.UnknownPeer or ControlError.AmbiguousPeer => 4,
        ControlError.NotFound or ControlError.NotAFile => 5,
        ControlError.Unavailable or ControlError.Timeout => 6,
        ControlError.Forbidden => 7,
        _ => 1,
    };

    public static string ToCode(ControlError error) => error switch
    {
        ControlError.BadRequest => "bad-request",
        ControlError.UnknownPeer => "unknown-peer",
        ControlError.AmbiguousPeer => "ambiguous-peer",
        ControlError.NotFound => "not-found",
        ControlError.NotAFile => "not-a-file",
        ControlError.BadRange => "bad-range",
        ControlError.Forbidden => "forbidden",
        ControlError.Busy => "busy",
        ControlError.Unavailable => "unavailable",
        ControlError.Timeout => "timeout",
        ControlError.PeerError => "peer-error",
        ControlError.DaemonNotRunning => "daemon-not-running",
        ControlError.Conflict => "conflict",
        _ => "internal",
    };

    public static ControlError FromCode(string? code)
        => Enum.GetValues<ControlError>().FirstOrDefault(e => ToCode(e) == code, ControlError.Internal);
}
