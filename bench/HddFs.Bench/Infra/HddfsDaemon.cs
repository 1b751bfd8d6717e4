namespace HddFs.Bench.Infra;

/// <summary>
/// One `hddfs start` or `hddfs mount MP` process with its own data directory, ready once `hddfs peers` answers.
/// Dispose: SIGTERM (the mount unmounts itself), SIGKILL after 15 s, then a lazy unmount if the mount is left.
/// </summary>
internal sealed class HddfsDaemon : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private HddfsDaemon(ChildProcess process, string dataDirectory, string? mountPoint)
    {
        _process = process;
        DataDirectory = dataDirectory;
        MountPoint = mountPoint;
    }

    public string DataDirectory { get; }

    public string? MountPoint { get; }

    public ChildProcess Process => _process;

    /// <summary>Starts `hddfs start ARGS` (<paramref name="mountPoint"/> null) or `hddfs mount MP ARGS`.</summary>
    public static async Task<HddfsDaemon> StartAsync(string name, string? mountPoint, string dataDirectory, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var (file, prefix) = HddfsCli.Command();
        string[] verb = mountPoint is null ? ["start"] : ["mount", mountPoint];
        var process = ChildProcess.Start(name, file, [.. prefix, .. verb, .. arguments, "--data-dir", dataDirectory]);
        var daemon = new HddfsDaemon(process, dataDirectory, mountPoint);
        try
        {
            await daemon.WaitReadyAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }
    }

    public IReadOnlyList<PeerJson> Peers() => HddfsCli.Peers(DataDirectory);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _process.StopAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            await _process.DisposeAsync();
            if (MountPoint is not null)
            {
                MountTable.LazyUnmount(MountPoint);
            }
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            _process.ThrowIfExited();
            try
            {
                Peers();
                return;
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.Text.Json.JsonException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.Text.Json.JsonException)
            {
                throw new TimeoutException($"{_process.Name} did not answer `hddfs peers` within {timeout.TotalSeconds:0} s ({ex.Message}):\n{_process.RecentOutput}", ex);
            }
        }
    }
}
