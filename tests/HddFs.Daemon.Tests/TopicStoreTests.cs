using HddFs.Testing;

namespace HddFs.Daemon.Tests;

public sealed class TopicStoreTests
{
    [Fact]
    public void JoinLeave_PersistedWith0600()
    {
        using var dir = new TempDirectory();
        var store = TopicStore.Open(dir.Path);
        store.Join("foo");
        store.Join("bar");
        store.Join("foo");
        Assert.True(store.Leave("bar"));
        Assert.False(store.Leave("bar"));

        var reopened = TopicStore.Open(dir.Path);
        Assert.Equal(["foo"], reopened.Topics.Select(t => t.Name));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir.Path, "topics.json")));
    }

    [Fact]
    public void Open_CorruptFile_ClearErrorAndUntouched()
    {
        using var dir = new TempDirectory();
        var file = dir.WriteFile("topics.json", "{not json");
        var ex = Assert.Throws<InvalidDataException>(() => TopicStore.Open(dir.Path));
        Assert.Contains("topics.json", ex.Message, StringComparison.Ordinal);
        Assert.Equal("{not json", File.ReadAllText(file));
    }
}
