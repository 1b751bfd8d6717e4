using HddFs.Core;

namespace HddFs.Protocol.Tests;

/// <summary>The hello proofs: admission by shared topic, and no replay or reflection.</summary>
public sealed class TopicHandshakeTests
{
    private static readonly PeerId Client = Key(1);
    private static readonly PeerId Server = Key(2);
    private static readonly PeerId Third = Key(3);
    private static readonly TopicKey Films = TopicKey.FromName("films");
    private static readonly TopicKey Music = TopicKey.FromName("music");
    private static readonly TopicKey Books = TopicKey.FromName("books");

    [Fact]
    public void Exchange_OneSharedTopic_BothSidesAdmitEachOtherForThatTopicOnly()
    {
        var clientHello = TopicHandshake.CreateHello([Films, Music], HelloRole.Client, Client, Server);

        // Over the wire and back, as the server would see it.
        var received = Responses.ExpectHello(Codec.DecodeWhole(FrameWriter.ToArray(clientHello)));
        var serverMatches = TopicHandshake.MatchTopics([Books, Music], received, HelloRole.Client, Client, Server);
        Assert.Equal([Music], serverMatches);

        var serverHello = TopicHandshake.CreateHello(serverMatches, HelloRole.Server, Server, Client);
        Assert.Equal(1, ProtocolVersion.Negotiate(clientHello, serverHello));
        var clientMatches = TopicHandshake.MatchTopics([Films, Music], serverHello, HelloRole.Server, Server, Client);
        Assert.Equal([Music], clientMatches);
    }

    [Fact]
    public void MatchTopics_NoSharedTopic_MatchesNothing()
    {
        var hello = TopicHandshake.CreateHello([Films], HelloRole.Client, Client, Server);
        Assert.Empty(TopicHandshake.MatchTopics([Music, Books], hello, HelloRole.Client, Client, Server));
    }

    [Fact]
    public void MatchTopics_ProofReplayedToAThirdPeer_MatchesNothing()
    {
        // The server (a topic member turned hostile) replays the client's hello to a third peer,
        // claiming to be the client: the proofs name the server as verifier, not the third peer.
        var hello = TopicHandshake.CreateHello([Films], HelloRole.Client, Client, Server);
        Assert.Empty(TopicHandshake.MatchTopics([Films], hello, HelloRole.Client, Client, Third));
    }

    [Fact]
    public void MatchTopics_ClientProofReflectedAsServerProof_MatchesNothing()
    {
        // A server that does not know the topic echoes the client's proofs back as its own.
        var clientHello = TopicHandshake.CreateHello([Films], HelloRole.Client, Client, Server);
        Assert.Empty(TopicHandshake.MatchTopics([Films], clientHello, HelloRole.Server, Server, Client));
    }

    [Fact]
    public void MatchTopics_ProofForAnotherSender_MatchesNothing()
    {
        // The third peer presents a proof the client made for it while claiming to be the client... to the server.
        var hello = TopicHandshake.CreateHello([Films], HelloRole.Client, Third, Server);
        Assert.Empty(TopicHandshake.MatchTopics([Films], hello, HelloRole.Client, Client, Server));
    }

    [Fact]
    public void MatchTopics_DuplicateTopicsAndProofs_ReportsEachTopicOnce()
    {
        var proof = TopicHandshake.CreateProofs([Films], HelloRole.Client, Client, Server)[0];
        var hello = new Hello(1, 1, [proof, proof]);
        Assert.Equal([Films], TopicHandshake.MatchTopics([Films, Films], hello, HelloRole.Client, Client, Server));
    }

    [Fact]
    public void Verify_AnyBitFlipped_Fails()
    {
        var key = Films.Derive(TopicHandshake.HelloKeyPurpose);
        var proof = TopicProof.Compute(key, HelloRole.Client, Client, Server);
        Assert.True(proof.Verify(key, HelloRole.Client, Client, Server));

        var bytes = proof.ToArray();
        for (var bit = 0; bit < TopicProof.Length * 8; bit++)
        {
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(new TopicProof(bytes).Verify(key, HelloRole.Client, Client, Server));
            bytes[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }

    [Fact]
    public void Compute_KeyNot32Bytes_Throws()
        => Assert.Throws<ArgumentException>(() => TopicProof.Compute(new byte[31], HelloRole.Client, Client, Server));

    [Fact]
    public void CreateProofs_MoreThan16Topics_Throws()
    {
        var topics = Enumerable.Range(0, Hello.MaxProofs + 1).Select(i => TopicKey.FromName($"t{i}")).ToList();
        Assert.Throws<ArgumentException>(() => TopicHandshake.CreateProofs(topics, HelloRole.Client, Client, Server));
        Assert.Equal(Hello.MaxProofs, TopicHandshake.CreateProofs(topics.Skip(1), HelloRole.Client, Client, Server).Count);
    }

    [Theory]
    [InlineData(1, 1, 1, 1, 1)]
    [InlineData(1, 3, 2, 5, 3)]
    [InlineData(2, 5, 1, 3, 3)]
    [InlineData(1, 4, 4, 9, 4)]
    public void Negotiate_OverlappingRanges_PicksHighestCommonVersion(int minA, int maxA, int minB, int maxB, int expected)
    {
        var a = new Hello((ushort)maxA, (ushort)minA, []);
        var b = new Hello((ushort)maxB, (ushort)minB, []);
        Assert.Equal(expected, ProtocolVersion.Negotiate(a, b));
        Assert.Equal(expected, ProtocolVersion.Negotiate(b, a));
    }

    [Theory]
    [InlineData(1, 1, 2, 3)]
    [InlineData(4, 9, 1, 3)]
    public void Negotiate_DisjointRanges_ThrowsUnsupportedVersion(int minA, int maxA, int minB, int maxB)
    {
        var a = new Hello((ushort)maxA, (ushort)minA, []);
        var b = new Hello((ushort)maxB, (ushort)minB, []);
        Assert.False(ProtocolVersion.TryNegotiate(a, b, out _));
        var error = Assert.Throws<ProtocolException>(() => ProtocolVersion.Negotiate(a, b));
        Assert.Equal(ProtocolErrorKind.UnsupportedVersion, error.Kind);
        Assert.Equal(ErrorCode.UnsupportedVersion, ErrorCodes.ToErrorResponse(error).Code);
    }

    private static PeerId Key(byte fill) => new(Enumerable.Repeat(fill, PeerId.Length).ToArray());
}
