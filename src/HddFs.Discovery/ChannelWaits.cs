using System.Threading.Channels;

namespace HddFs.Discovery;

internal static class ChannelWaits
{
    /// <summary>
    /// Waits until <paramref name="reader"/> has an item (true), <paramref name="timeout"/> elapses on
    /// <paramref name="time"/> (false) or <paramref name="cancellationToken"/> fires (throws).
    /// A completed channel also returns false.
    /// </summary>
    public static async ValueTask<bool> WaitToReadAsync<T>(ChannelReader<T> reader, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return reader.TryPeek(out _);
        }

        using var timer = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            return await reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
