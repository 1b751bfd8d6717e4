using HddFs.Testing;
namespace HddFs.Vfs.Tests;

public sealed class ProgressDeadlineTests
{
    [Fact]
    public void NoProgress_ExpiresAfterTheTimeout()
    {
        var time = new ManualTimeProvider();
        using var deadline = new ProgressDeadline(TimeSpan.FromSeconds(5), time, CancellationToken.None);

        time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(deadline.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.True(deadline.Expired);
    }

    [Fact]
    public void Progress_MovesTheDeadlineForward()
    {
        var time = new ManualTimeProvider();
        using var deadline = new ProgressDeadline(TimeSpan.FromSeconds(5), time, CancellationToken.None);

        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(4));
            deadline.Progress();
        }

        Assert.False(deadline.Token.IsCancellationRequested);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(deadline.Expired);
    }

    [Fact]
    public void CallerCancels_TokenCancelledButNotExpired()
    {
        var time = new ManualTimeProvider();
        using var caller = new CancellationTokenSource();
        using var deadline = new ProgressDeadline(TimeSpan.FromSeconds(5), time, caller.Token);

        caller.Cancel();

        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.False(deadline.Expired);
    }
}
