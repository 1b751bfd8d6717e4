using System.Collections.Concurrent;

namespace HddFs.Vfs;

/// <summary>Tasks the VFS started without a caller awaiting them (listing refreshes, block fetches),
/// so disposal can wait for them to observe cancellation. Thread-safe.</summary>
internal sealed class BackgroundWork
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();

    public int Count => _running.Count;

    /// <summary>Tracks <paramref name="task"/> until it completes. The task must not fault (background
    /// work reports failures through its own results); a fault is observed here anyway.</summary>
    public Task<T> Track<T>(Task<T> task)
    {
        if (!task.IsCompleted)
        {
            _running.TryAdd(task, 0);
            _ = task.ContinueWith(
                static (t, state) =>
                {
                    _ = t.Exception;
                    ((ConcurrentDictionary<Task, byte>)state!).TryRemove(t, out _);
                },
                _running,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        return task;
    }

    /// <summary>Waits for the tracked work, at most <paramref name="limit"/>.</summary>
    public async Task WaitAsync(TimeSpan limit, TimeProvider time)
    {
        var tasks = _running.Keys.ToArray();
        if (tasks.Length == 0)
        {
            return;
        }

        try
        {
            await Task.WhenAll(tasks).WaitAsync(limit, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (Exception) when (tasks.All(t => t.IsCompleted))
        {
        }
    }
}
