namespace HddFs.Bench.Infra;

/// <summary>
/// Samples the apparent size of every file under a directory (what `du -sb` counts, minus the directories'
/// own entries) every <c>interval</c> on a background thread, and keeps the peak. Files that vanish between the
/// listing and the stat (evicted blocks) are skipped.
/// </summary>
internal sealed class DirectorySizeSampler : IDisposable
{
    private readonly string _directory;
    private readonly TimeSpan _interval;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private long _peak;
    private long _samples;

    public DirectorySizeSampler(string directory, TimeSpan interval)
    {
        _directory = directory;
        _interval = interval;
        _thread = new Thread(Loop) { IsBackground = true, Name = "size-sampler" };
        _thread.Start();
    }

    public long PeakBytes => Interlocked.Read(ref _peak);

    public long Samples => Interlocked.Read(ref _samples);

    public static long Measure(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", options))
        {
            try
            {
                total += file.Length;
            }
            catch (FileNotFoundException)
            {
            }
        }

        return total;
    }

    /// <summary>Stops sampling (idempotent); <see cref="PeakBytes"/> stays readable.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(5));
    }

    private void Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            long size;
            try
            {
                size = Measure(_directory);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            Interlocked.Increment(ref _samples);
            if (size > Interlocked.Read(ref _peak))
            {
                Interlocked.Exchange(ref _peak, size);
            }

            _stop.Token.WaitHandle.WaitOne(_interval);
        }
    }
}
