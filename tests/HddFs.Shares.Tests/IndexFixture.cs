using HddFs.Core;
using HddFs.Testing;
using Microsoft.Extensions.Logging;

namespace HddFs.Shares.Tests;

/// <summary>
/// A temp directory holding the data to share (under <see cref="Data"/>) and the database, plus an
/// open index. Defaults suit deterministic tests: no watcher, no periodic rescans, no racy window
/// (so a just-written tree counts as unchanged on the next scan).
/// </summary>
public sealed class IndexFixture : IAsyncDisposable
{
    private readonly TempDirectory _temp = new("hddfs-shares");

    public IndexFixture()
    {
        Directory.CreateDirectory(Data);
    }

    public string Data => _temp.Combine("data");

    public string DatabasePath => _temp.Combine("db", "index.db");

    public CollectingLoggerFactory Logs { get; } = new();

    public ShareIndex Index { get; private set; } = null!;

    public static ShareIndexOptions QuietOptions => new()
    {
        WatchForChanges = false,
        RescanInterval = Timeout.InfiniteTimeSpan,
        DeepRescanInterval = Timeout.InfiniteTimeSpan,
        RacyWindow = TimeSpan.Zero,
    };

    public static async Task<IndexFixture> CreateAsync(ShareIndexOptions? options = null)
    {
        var fixture = new IndexFixture();
        await fixture.OpenAsync(options);
        return fixture;
    }

    public async Task OpenAsync(ShareIndexOptions? options = null)
        => Index = await ShareIndex.OpenAsync(DatabasePath, Logs, TimeProvider.System, options ?? QuietOptions);

    public async Task ReopenAsync(ShareIndexOptions? options = null)
    {
        await Index.DisposeAsync();
        await OpenAsync(options);
    }

    /// <summary>Creates a file under <see cref="Data"/> and returns its full path.</summary>
    public string Write(string relativePath, string content) => _temp.WriteFile(Path.Combine("data", relativePath), content);

    public string DataPath(string relativePath) => Path.Combine(Data, relativePath);

    public async Task<List<RemoteEntry>> ListAsync(string path, bool recursive = false, string? search = null, int pageSize = 1000)
    {
        var all = new List<RemoteEntry>();
        await foreach (var page in Index.ListAsync(new LsQuery(SharePath.Parse(path), search, recursive), pageSize, CancellationToken.None))
        {
            Assert.InRange(page.Count, 1, pageSize);
            all.AddRange(page);
        }

        return all;
    }

    public async Task<List<string>> NamesAsync(string path, bool recursive = false, string? search = null)
        => [.. (await ListAsync(path, recursive, search)).Select(e => e.Path.Value)];

    public async ValueTask DisposeAsync()
    {
        if (Index is not null)
        {
            await Index.DisposeAsync();
        }

        Logs.Dispose();
        _temp.Dispose();
    }
}

/// <summary>Keeps every log message (level and text) for assertions.</summary>
public sealed class CollectingLoggerFactory : ILoggerFactory, ILoggerProvider
{
    private readonly List<(LogLevel Level, string Message)> _messages = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public bool Has(LogLevel level, string fragment)
        => Messages.Any(m => m.Level == level && m.Message.Contains(fragment, StringComparison.Ordinal));

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(CollectingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._messages)
            {
                owner._messages.Add((logLevel, formatter(state, exception)));
            }
        }
    }
}
