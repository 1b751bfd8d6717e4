using System.Threading.Channels;

namespace HddFs.Discovery.Tests;

internal static class EventAssert
{
    /// <summary>Reads until an event of type <typeparamref name="T"/> matches, or fails after <paramref name="timeout"/>.</summary>
    public static async Task<T> NextAsync<T>(ChannelReader<DiscoveryEvent> reader, Func<T, bool> match, TimeSpan timeout, string what)
        where T : DiscoveryEvent
    {
        using var cts = new CancellationTokenSource(timeout);
        var seen = new List<DiscoveryEvent>();
        try
        {
            while (true)
            {
                var e = await reader.ReadAsync(cts.Token);
                seen.Add(e);
                if (e is T t && match(t))
                {
                    return t;
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for {what}; saw {seen.Count} other events: {string.Join("; ", seen.Take(10))}");
            throw;
        }
        catch (ChannelClosedException)
        {
            Assert.Fail($"Channel completed while waiting for {what}");
            throw;
        }
    }

    /// <summary>Asserts no matching event arrives within <paramref name="duration"/>; returns everything read.</summary>
    public static async Task<List<DiscoveryEvent>> NoneAsync(ChannelReader<DiscoveryEvent> reader, Func<DiscoveryEvent, bool> match, TimeSpan duration, string what)
    {
        using var cts = new CancellationTokenSource(duration);
        var seen = new List<DiscoveryEvent>();
        try
        {
            while (true)
            {
                var e = await reader.ReadAsync(cts.Token);
                seen.Add(e);
                Assert.False(match(e), $"Unexpected {what}: {e}");
            }
        }
        catch (OperationCanceledException)
        {
            return seen;
        }
        catch (ChannelClosedException)
        {
            return seen;
        }
    }

    /// <summary>Drains whatever is buffered now.</summary>
    public static List<DiscoveryEvent> Drain(ChannelReader<DiscoveryEvent> reader)
    {
        var list = new List<DiscoveryEvent>();
        while (reader.TryRead(out var e))
        {
            list.Add(e);
        }

        return list;
    }
}
