using System.Net;
using HddFs.Core;
using HddFs.Discovery.Announcements;

namespace HddFs.Discovery.Tests;

public sealed class AnnouncementCodecTests : IDisposable
{
    private static readonly TopicKey Topic = TopicKey.FromName("music");
    private static readonly TopicKey OtherTopic = TopicKey.FromName("movies");
    private readonly TestSigner _alice = new();
    private readonly TestSigner _bob = new();
    private readonly ShiftedTimeProvider _time = new();

    private static LocalAnnouncement Info => new(
        4433,
        [IPAddress.Parse("192.168.1.20"), IPAddress.Parse("2001:db8::20")],
        NatType.Cone,
        new IPEndPoint(IPAddress.Parse("203.0.113.7"), 50000));

    private byte[] SealFrom(TestSigner signer, TopicKey? topic = null, bool goodbye = false, AnnouncementPurpose? purpose = null)
        => new AnnouncementSealer(signer, _time).Seal(topic ?? Topic, purpose ?? AnnouncementPurpose.Mqtt, Info, TimeSpan.FromSeconds(120), goodbye, withEndpoints: true);

    [Fact]
    public void SealThenOpen_SameTopic_RoundTripsEveryField()
    {
        var sealedBytes = SealFrom(_alice);

        var result = AnnouncementCodec.TryOpen(sealedBytes, Topic, AnnouncementPurpose.Mqtt, out var a);

        Assert.Equal(AnnouncementRejection.None, result);
        Assert.NotNull(a);
        Assert.Equal(_alice.Id, a.Peer);
        Assert.Equal(4433, a.Port);
        Assert.Equal(NatType.Cone, a.Nat);
        Assert.Equal(TimeSpan.FromSeconds(120), a.ValidFor);
        Assert.False(a.IsGoodbye);
        Assert.Equal(
            ["192.168.1.20:4433", "[2001:db8::20]:4433", "203.0.113.7:50000"],
            a.Endpoints.Select(e => e.EndPoint.ToString()));
        Assert.Equal([false, false, true], a.Endpoints.Select(e => e.IsPublic));
        Assert.InRange(a.TimestampMs, _time.GetUtcNow().ToUnixTimeMilliseconds() - 5000, _time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    [Fact]
    public void Seal_TwiceWithSameContent_CiphertextsDiffer()
    {
        // Random nonce + new sequence: an observer cannot link two announcements by their bytes.
        Assert.NotEqual(SealFrom(_alice), SealFrom(_alice));
    }

    [Fact]
    public void Open_WrongTopic_IsUndecryptable()
    {
        var result = AnnouncementCodec.TryOpen(SealFrom(_alice, OtherTopic), Topic, AnnouncementPurpose.Mqtt, out var a);

        Assert.Equal(AnnouncementRejection.Undecryptable, result);
        Assert.Null(a);
    }

    [Fact]
    public void Open_OtherPurpose_IsUndecryptable()
    {
        // An mDNS TXT entry replayed to the broker (or back) does not open.
        var result = AnnouncementCodec.TryOpen(SealFrom(_alice, purpose: AnnouncementPurpose.Mdns), Topic, AnnouncementPurpose.Mqtt, out _);

        Assert.Equal(AnnouncementRejection.Undecryptable, result);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(60)]
    [InlineData(-1)]
    public void Open_OneBitFlipped_IsUndecryptable(int index)
    {
        var sealedBytes = SealFrom(_alice);
        sealedBytes[index < 0 ? sealedBytes.Length - 1 : index] ^= 0x01;

        Assert.Equal(AnnouncementRejection.Undecryptable, AnnouncementCodec.TryOpen(sealedBytes, Topic, AnnouncementPurpose.Mqtt, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(AnnouncementCodec.MinSealedLength - 1)]
    [InlineData(AnnouncementCodec.MaxSealedLength + 1)]
    [InlineData(65536)]
    public void Open_OutOfBoundsLength_IsMalformed(int length)
    {
        var garbage = new byte[length];
        Random.Shared.NextBytes(garbage);

        Assert.Equal(AnnouncementRejection.Malformed, AnnouncementCodec.TryOpen(garbage, Topic, AnnouncementPurpose.Mqtt, out _));
    }

    [Fact]
    public void Open_RandomGarbageOfPlausibleLength_IsRejectedWithoutThrowing()
    {
        var random = new Random(1234);
        for (var i = 0; i < 2000; i++)
        {
            var garbage = new byte[random.Next(AnnouncementCodec.MinSealedLength, AnnouncementCodec.MaxSealedLength + 1)];
            random.NextBytes(garbage);
            Assert.Equal(AnnouncementRejection.Undecryptable, AnnouncementCodec.TryOpen(garbage, Topic, AnnouncementPurpose.Mqtt, out _));
        }
    }

    [Fact]
    public void Open_ForgedSignatureBytes_IsBadSignature()
    {
        // A topic member (who can encrypt) alters a signed body: the signature no longer verifies.
        var body = AnnouncementCodec.EncodeBody(Sample(_alice.Id));
        var signature = _alice.Sign(AnnouncementCodec.SignedMessage(body, Topic, AnnouncementPurpose.Mqtt));
        signature[10] ^= 0xFF;

        var sealedBytes = TestSealing.SealRaw([.. body, .. signature], Topic, AnnouncementPurpose.Mqtt);

        Assert.Equal(AnnouncementRejection.BadSignature, AnnouncementCodec.TryOpen(sealedBytes, Topic, AnnouncementPurpose.Mqtt, out _));
    }

    [Fact]
    public void Open_SignerIsNotTheAnnouncedKey_IsBadSignature()
    {
        // Mallory (knows the topic) signs with her key but claims to be Alice.
        using var mallory = new TestSigner(claimedId: _alice.Id);

        var result = AnnouncementCodec.TryOpen(SealFrom(mallory), Topic, AnnouncementPurpose.Mqtt, out _);

        Assert.Equal(AnnouncementRejection.BadSignature, result);
    }

    [Fact]
    public void Open_SignatureFromAnotherTopic_IsBadSignature()
    {
        // Alice's signature for "movies", re-encrypted by an insider for "music", does not verify.
        var body = AnnouncementCodec.EncodeBody(Sample(_alice.Id));
        var signature = _alice.Sign(AnnouncementCodec.SignedMessage(body, OtherTopic, AnnouncementPurpose.Mqtt));
        var sealedBytes = TestSealing.SealRaw([.. body, .. signature], Topic, AnnouncementPurpose.Mqtt);

        Assert.Equal(AnnouncementRejection.BadSignature, AnnouncementCodec.TryOpen(sealedBytes, Topic, AnnouncementPurpose.Mqtt, out _));
    }

    [Theory]
    [InlineData(0, 2)] // version 2
    [InlineData(1, 0x02)] // unknown flag
    [InlineData(52, 9)] // NAT type out of range
    [InlineData(55, 17)] // too many endpoints
    [InlineData(55, 3)] // count says 3, bytes hold 2
    [InlineData(55, 1)] // count says 1, bytes trail
    [InlineData(56, 0x05)] // unknown address kind
    public void Open_BadFieldUnderValidSignatureAndEncryption_IsMalformed(int offset, byte value)
    {
        var body = AnnouncementCodec.EncodeBody(Sample(_alice.Id));
        body[offset] = value;
        var signature = _alice.Sign(AnnouncementCodec.SignedMessage(body, Topic, AnnouncementPurpose.Mqtt));
        var sealedBytes = TestSealing.SealRaw([.. body, .. signature], Topic, AnnouncementPurpose.Mqtt);

        Assert.Equal(AnnouncementRejection.Malformed, AnnouncementCodec.TryOpen(sealedBytes, Topic, AnnouncementPurpose.Mqtt, out _));
    }

    [Fact]
    public void Open_Goodbye_CarriesTheFlagAndZeroValidity()
    {
        Assert.Equal(AnnouncementRejection.None, AnnouncementCodec.TryOpen(SealFrom(_alice, goodbye: true), Topic, AnnouncementPurpose.Mqtt, out var a));
        Assert.True(a!.IsGoodbye);
        Assert.Equal(TimeSpan.Zero, a.ValidFor);
    }

    [Fact]
    public void ReplayGuard_FreshAnnouncementFromOtherPeer_IsAccepted()
    {
        var guard = new AnnouncementReplayGuard(_bob.Id, _time);

        Assert.Equal(AnnouncementRejection.None, guard.Check(Open(SealFrom(_alice)), Topic));
    }

    [Fact]
    public void ReplayGuard_OwnAnnouncement_IsOwn()
    {
        var guard = new AnnouncementReplayGuard(_alice.Id, _time);

        Assert.Equal(AnnouncementRejection.Own, guard.Check(Open(SealFrom(_alice)), Topic));
    }

    [Fact]
    public void ReplayGuard_SameAnnouncementTwice_SecondIsReplay()
    {
        var guard = new AnnouncementReplayGuard(_bob.Id, _time);
        var a = Open(SealFrom(_alice));

        Assert.Equal(AnnouncementRejection.None, guard.Check(a, Topic));
        Assert.Equal(AnnouncementRejection.Replay, guard.Check(a, Topic));
    }

    [Fact]
    public void ReplayGuard_OlderAfterNewer_IsReplay()
    {
        var guard = new AnnouncementReplayGuard(_bob.Id, _time);
        var older = Open(SealFrom(_alice));
        var newer = Open(SealFrom(_alice));

        Assert.Equal(AnnouncementRejection.None, guard.Check(newer, Topic));
        Assert.Equal(AnnouncementRejection.Replay, guard.Check(older, Topic));
    }

    [Fact]
    public void ReplayGuard_SameMillisecondHigherSequence_IsAccepted()
    {
        var guard = new AnnouncementReplayGuard(_bob.Id, _time);
        var first = Sample(_alice.Id) with { TimestampMs = _time.GetUtcNow().ToUnixTimeMilliseconds(), Sequence = 7 };

        Assert.Equal(AnnouncementRejection.None, guard.Check(first, Topic));
        Assert.Equal(AnnouncementRejection.None, guard.Check(first with { Sequence = 8 }, Topic));
        Assert.Equal(AnnouncementRejection.Replay, guard.Check(first with { Sequence = 8 }, Topic));
    }

    [Fact]
    public void ReplayGuard_SamePeerOtherTopic_IsTrackedSeparately()
    {
        var guard = new AnnouncementReplayGuard(_bob.Id, _time);
        var a = Open(SealFrom(_alice));

        Assert.Equal(AnnouncementRejection.None, guard.Check(a, Topic));
        Assert.Equal(AnnouncementRejection.None, guard.Check(a, OtherTopic));
    }

    [Theory]
    [InlineData(-11)]
    [InlineData(11)]
    [InlineData(-600)]
    public void ReplayGuard_TimestampOutsideWindow_IsStale(int minutes)
    {
        var sealedBytes = SealFrom(_alice);
        var guard = new AnnouncementReplayGuard(_bob.Id, _time);
        _time.Offset = TimeSpan.FromMinutes(-minutes); // our clock moves; the announcement's stays

        Assert.Equal(AnnouncementRejection.Stale, guard.Check(Open(sealedBytes), Topic));
    }

    [Theory]
    [InlineData(-9)]
    [InlineData(9)]
    public void ReplayGuard_TimestampInsideWindow_IsAccepted(int minutes)
    {
        var sealedBytes = SealFrom(_alice);
        var guard = new AnnouncementReplayGuard(_bob.Id, _time);
        _time.Offset = TimeSpan.FromMinutes(-minutes);

        Assert.Equal(AnnouncementRejection.None, guard.Check(Open(sealedBytes), Topic));
    }

    [Fact]
    public void ReplayGuard_AtCapacity_StaysBoundedAndAcceptsNewPeers()
    {
        var guard = new AnnouncementReplayGuard(_bob.Id, _time, capacity: 8);
        for (var i = 0; i < 50; i++)
        {
            var key = new byte[32];
            Random.Shared.NextBytes(key);
            var a = Sample(new PeerId(key)) with { TimestampMs = _time.GetUtcNow().ToUnixTimeMilliseconds() + i };
            Assert.Equal(AnnouncementRejection.None, guard.Check(a, Topic));
        }

        Assert.Equal(8, guard.Count);
    }

    private static Announcement Open(byte[] sealedBytes)
    {
        Assert.Equal(AnnouncementRejection.None, AnnouncementCodec.TryOpen(sealedBytes, Topic, AnnouncementPurpose.Mqtt, out var a));
        return a!;
    }

    private Announcement Sample(PeerId peer) => new(
        peer,
        _time.GetUtcNow().ToUnixTimeMilliseconds(),
        1,
        false,
        TimeSpan.FromSeconds(60),
        NatType.Open,
        4433,
        [new AnnouncedEndpoint(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 4433), false), new AnnouncedEndpoint(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 4433), false)]);

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
    }
}
