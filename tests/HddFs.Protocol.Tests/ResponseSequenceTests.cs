using HddFs.Core;

namespace HddFs.Protocol.Tests;

/// <summary>What a requester accepts as the answer to a listing, a read and a hello.</summary>
public sealed class ResponseSequenceTests
{
    private static readonly LsRequest ListMusic = new(SharePath.Parse("Music"), null, false);

    [Fact]
    public void Accept_PagesThenMatchingEnd_YieldsEntriesThenCompletes()
    {
        var sequence = new LsResponseSequence(ListMusic);
        var first = new LsPage([Entry("Music/a"), Entry("Music/b")]);
        var second = new LsPage([Entry("Music/c")]);

        Assert.Equal(first.Entries, sequence.Accept(first));
        Assert.Equal(second.Entries, sequence.Accept(second));
        Assert.Null(sequence.Accept(new LsEnd(3)));
        Assert.True(sequence.IsComplete);
        Assert.Equal(3UL, sequence.EntriesReceived);
        Assert.Throws<InvalidOperationException>(() => sequence.Accept(null));
    }

    [Fact]
    public void Accept_EndOfStreamBeforeLsEnd_ThrowsTruncated()
    {
        var sequence = new LsResponseSequence(ListMusic);
        sequence.Accept(new LsPage([Entry("Music/a")]));
        Assert.Equal(ProtocolErrorKind.Truncated, Assert.Throws<ProtocolException>(() => sequence.Accept(null)).Kind);
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(2UL)]
    public void Accept_LsEndCountDisagrees_ThrowsInvalidField(ulong declared)
    {
        var sequence = new LsResponseSequence(ListMusic);
        sequence.Accept(new LsPage([Entry("Music/a")]));
        Assert.Equal(ProtocolErrorKind.InvalidField, Assert.Throws<ProtocolException>(() => sequence.Accept(new LsEnd(declared))).Kind);
    }

    [Fact]
    public void Accept_ErrorResponse_ThrowsMappedRemoteShareException()
    {
        var sequence = new LsResponseSequence(ListMusic);
        var error = Assert.Throws<RemoteShareException>(() => sequence.Accept(new ErrorResponse(ErrorCode.NotFound, "gone")));
        Assert.Equal(RemoteError.NotFound, error.Error);
    }

    [Theory]
    [InlineData("Music2/a")] // prefix match without a whole component (model project defect 3)
    [InlineData("Films/a")]
    [InlineData("Music/a/deeper")] // not a direct child in a non-recursive listing
    [InlineData("")]
    public void Accept_EntryOutsideTheRequest_ThrowsInvalidField(string path)
    {
        var sequence = new LsResponseSequence(ListMusic);
        var error = Assert.Throws<ProtocolException>(() => sequence.Accept(new LsPage([Entry("Music/ok"), Entry(path)])));
        Assert.Equal(ProtocolErrorKind.InvalidField, error.Kind);
    }

    [Theory]
    [InlineData("Music/a/deeper/still")]
    [InlineData("Music")]
    public void Accept_DescendantInRecursiveListing_IsAccepted(string path)
    {
        var sequence = new LsResponseSequence(ListMusic with { Recursive = true });
        Assert.Single(sequence.Accept(new LsPage([Entry(path)]))!);
    }

    [Fact]
    public void Accept_DescendantInSearch_IsAcceptedButOutsideIsNot()
    {
        var sequence = new LsResponseSequence(ListMusic with { Search = "deep" });
        Assert.Single(sequence.Accept(new LsPage([Entry("Music/a/deeper")]))!);
        Assert.Throws<ProtocolException>(() => new LsResponseSequence(ListMusic with { Search = "deep" }).Accept(new LsPage([Entry("Music2/deeper")])));
    }

    [Fact]
    public void Accept_ListingOfAFile_AcceptsThatEntry()
    {
        var sequence = new LsResponseSequence(new LsRequest(SharePath.Parse("Music/a.flac"), null, false));
        Assert.Single(sequence.Accept(new LsPage([Entry("Music/a.flac")]))!);
    }

    [Fact]
    public void Accept_RootListing_AcceptsShares()
    {
        var sequence = new LsResponseSequence(new LsRequest(SharePath.Root, null, false));
        Assert.Equal(2, sequence.Accept(new LsPage([Entry("Music"), Entry("Films")]))!.Count);
    }

    [Fact]
    public void Accept_ReadResponseInAListing_ThrowsUnexpectedMessage()
        => Assert.Equal(
            ProtocolErrorKind.UnexpectedMessage,
            Assert.Throws<ProtocolException>(() => new LsResponseSequence(ListMusic).Accept(new ReadResponse(1))).Kind);

    [Fact]
    public void ExpectReadResponse_LengthWithinRequest_ReturnsIt()
        => Assert.Equal(3UL, Responses.ExpectReadResponse(new ReadRequest(SharePath.Parse("a"), 0, 3), new ReadResponse(3)));

    [Fact]
    public void ExpectReadResponse_MoreThanAsked_ThrowsInvalidField()
        => Assert.Equal(
            ProtocolErrorKind.InvalidField,
            Assert.Throws<ProtocolException>(() => Responses.ExpectReadResponse(new ReadRequest(SharePath.Parse("a"), 0, 3), new ReadResponse(4))).Kind);

    [Fact]
    public void ExpectReadResponse_Error_ThrowsRemoteShareException()
        => Assert.Equal(
            RemoteError.BadRange,
            Assert.Throws<RemoteShareException>(() => Responses.ExpectReadResponse(new ReadRequest(SharePath.Parse("a"), 9, 3), new ErrorResponse(ErrorCode.BadRange, ""))).Error);

    [Fact]
    public void ExpectReadResponse_EndOfStream_ThrowsTruncated()
        => Assert.Equal(
            ProtocolErrorKind.Truncated,
            Assert.Throws<ProtocolException>(() => Responses.ExpectReadResponse(new ReadRequest(SharePath.Parse("a"), 0, 3), null)).Kind);

    [Fact]
    public void ExpectHello_OtherMessage_ThrowsUnexpectedMessage()
        => Assert.Equal(ProtocolErrorKind.UnexpectedMessage, Assert.Throws<ProtocolException>(() => Responses.ExpectHello(new LsEnd(0))).Kind);

    [Fact]
    public void ExpectHello_RefusedForNoTopic_ThrowsForbidden()
        => Assert.Equal(RemoteError.Forbidden, Assert.Throws<RemoteShareException>(() => Responses.ExpectHello(new ErrorResponse(ErrorCode.Forbidden, "no topic"))).Error);

    private static RemoteEntry Entry(string path) => new(SharePath.Parse(path), 1, false, 0);
}
