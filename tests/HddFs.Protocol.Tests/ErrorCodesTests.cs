using HddFs.Core;

namespace HddFs.Protocol.Tests;

/// <summary>The one error map at the wire boundary.</summary>
public sealed class ErrorCodesTests
{
    public static TheoryData<ErrorCode, RemoteError> WireToRemote => new()
    {
        { ErrorCode.NotFound, RemoteError.NotFound },
        { ErrorCode.NotAFile, RemoteError.NotAFile },
        { ErrorCode.BadRange, RemoteError.BadRange },
        { ErrorCode.TooLarge, RemoteError.TooLarge },
        { ErrorCode.Forbidden, RemoteError.Forbidden },
        { ErrorCode.Busy, RemoteError.Busy },
        { ErrorCode.Internal, RemoteError.Internal },
        { ErrorCode.UnsupportedVersion, RemoteError.Protocol },
        { ErrorCode.BadRequest, RemoteError.Protocol },
    };

    public static TheoryData<RemoteError, ErrorCode> RemoteToWire => new()
    {
        { RemoteError.NotFound, ErrorCode.NotFound },
        { RemoteError.NotAFile, ErrorCode.NotAFile },
        { RemoteError.BadRange, ErrorCode.BadRange },
        { RemoteError.TooLarge, ErrorCode.TooLarge },
        { RemoteError.Forbidden, ErrorCode.Forbidden },
        { RemoteError.Busy, ErrorCode.Busy },
        { RemoteError.Internal, ErrorCode.Internal },
        { RemoteError.Unavailable, ErrorCode.Busy },
        { RemoteError.Timeout, ErrorCode.Busy },
        { RemoteError.Protocol, ErrorCode.Internal },
        { (RemoteError)55, ErrorCode.Internal },
    };

    [Theory]
    [MemberData(nameof(WireToRemote))]
    public void ToRemoteError_EveryCode_MapsAsDocumented(ErrorCode code, RemoteError expected)
        => Assert.Equal(expected, ErrorCodes.ToRemoteError(code));

    [Theory]
    [MemberData(nameof(RemoteToWire))]
    public void FromRemoteError_EveryError_MapsAsDocumented(RemoteError error, ErrorCode expected)
        => Assert.Equal(expected, ErrorCodes.FromRemoteError(error));

    [Fact]
    public void Maps_EveryEnumValue_IsCovered()
    {
        Assert.Equal(Enum.GetValues<ErrorCode>().Order(), WireToRemote.Select(row => (ErrorCode)row[0]).Order());
        Assert.Subset(RemoteToWire.Select(row => (RemoteError)row[0]).ToHashSet(), Enum.GetValues<RemoteError>().ToHashSet());
    }

    [Fact]
    public void ToRemoteError_FromRemoteError_RoundTripsTheErrorsThatCrossTheWire()
    {
        foreach (var error in Enum.GetValues<RemoteError>().Where(e => (int)e <= 7))
        {
            Assert.Equal(error, ErrorCodes.ToRemoteError(ErrorCodes.FromRemoteError(error)));
        }
    }

    [Fact]
    public void ToErrorResponse_RemoteShareException_KeepsCodeAndText()
        => Assert.Equal(
            new ErrorResponse(ErrorCode.NotAFile, "is a directory"),
            ErrorCodes.ToErrorResponse(new RemoteShareException(RemoteError.NotAFile, "is a directory")));

    [Fact]
    public void ToErrorResponse_OversizedRequest_IsTooLarge()
        => Assert.Equal(ErrorCode.TooLarge, ErrorCodes.ToErrorResponse(new ProtocolException(ProtocolErrorKind.FrameTooLarge, "big")).Code);

    [Fact]
    public void ToErrorResponse_GarbageRequest_IsBadRequest()
        => Assert.Equal(ErrorCode.BadRequest, ErrorCodes.ToErrorResponse(new ProtocolException(ProtocolErrorKind.InvalidField, "bad")).Code);

    [Fact]
    public void ToErrorResponse_OtherException_HidesItsText()
    {
        var response = ErrorCodes.ToErrorResponse(new IOException("/home/alice/secret/file: I/O error"));
        Assert.Equal(ErrorCode.Internal, response.Code);
        Assert.DoesNotContain("alice", response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToException_PeerTextWithControlCharacters_ReplacesThem()
    {
        var exception = ErrorCodes.ToException(new ErrorResponse(ErrorCode.Forbidden, "no\r\n[INFO] forged\u001b[31m\u202e"));
        Assert.Equal(RemoteError.Forbidden, exception.Error);
        Assert.DoesNotContain(exception.Message, c => char.IsControl(c) || c == '\u202e');
        Assert.Contains("forged", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToException_ProtocolException_IsProtocolErrorWithCause()
    {
        var cause = new ProtocolException(ProtocolErrorKind.Malformed, "x");
        var exception = ErrorCodes.ToException(cause);
        Assert.Equal(RemoteError.Protocol, exception.Error);
        Assert.Same(cause, exception.InnerException);
    }

    [Fact]
    public void Encode_UndefinedErrorCode_Throws()
        => Assert.Throws<ArgumentException>(() => FrameWriter.ToArray(new ErrorResponse((ErrorCode)10, "")));
}
