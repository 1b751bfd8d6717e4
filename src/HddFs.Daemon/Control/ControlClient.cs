using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace HddFs.Daemon.Control;

/// <summary>
/// Talks to a running daemon over its control socket. Every failure becomes a
/// <see cref="ControlException"/> with the daemon's error code; a missing daemon is
/// <see cref="ControlError.DaemonNotRunning"/>. Dispose to close the connection pool.
/// </summary>
public sealed class ControlClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _socketPath;

    public ControlClient(string socketPath, TimeSpan? timeout = null)
    {
        _socketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = new Uri("http://hddfs/"), Timeout = timeout ?? Timeout.InfiniteTimeSpan };
    }

    public Task<IdentityInfo> GetIdentityAsync(CancellationToken ct) => GetAsync("v1/id", ControlJson.Default.IdentityInfo, ct);

    public Task<PeerStatus[]> GetPeersAsync(CancellationToken ct) => GetAsync("v1/peers", ControlJson.Default.PeerStatusArray, ct);

    public Task<ShareInfo[]> GetSharesAsync(CancellationToken ct) => GetAsync("v1/shares", ControlJson.Default.ShareInfoArray, ct);

    public Task<TopicInfo[]> GetTopicsAsync(CancellationToken ct) => GetAsync("v1/topics", ControlJson.Default.TopicInfoArray, ct);

    public async Task<ShareInfo> AddShareAsync(string directory, CancellationToken ct)
    {
        using var response = await SendAsync(() => _http.PostAsJsonAsync("v1/shares", new AddShareRequest(directory), ControlJson.Default.AddShareRequest, ct));
        return await ReadJsonAsync(response, ControlJson.Default.ShareInfo, ct);
    }

    public async Task RemoveShareAsync(string name, CancellationToken ct)
    {
        using var response = await SendAsync(() => _http.DeleteAsync("v1/shares/" + Uri.EscapeDataString(name), ct));
        await EnsureSuccessAsync(response, ct);
    }

    public async Task<TopicInfo> JoinTopicAsync(string name, CancellationToken ct)
    {
        using var response = await SendAsync(() => _http.PostAsJsonAsync("v1/topics", new TopicRequest(name), ControlJson.Default.TopicRequest, ct));
        return await ReadJsonAsync(response, ControlJson.Default.TopicInfo, ct);
    }

    public async Task LeaveTopicAsync(string name, CancellationToken ct)
    {
        using var response = await SendAsync(() => _http.PostAsJsonAsync("v1/topics/leave", new TopicRequest(name), ControlJson.Default.TopicRequest, ct));
        await EnsureSuccessAsync(response, ct);
    }

    /// <summary>Streams a listing. A listing the peer cut short throws after the entries received.</summary>
    public async IAsyncEnumerable<EntryInfo> ListAsync(string peer, string path, string? search, bool recursive, [EnumeratorCancellation] CancellationToken ct)
    {
        var url = $"v1/ls?peer={Uri.EscapeDataString(peer)}&path={Uri.EscapeDataString(path)}&recursive={(recursive ? "true" : "false")}";
        if (!string.IsNullOrEmpty(search))
        {
            url += "&search=" + Uri.EscapeDataString(search);
        }

        using var response = await SendAsync(() => _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct));
        await EnsureSuccessAsync(response, ct);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        while (await ReadLineAsync(reader, ct) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var parsed = JsonSerializer.Deserialize(line, ControlJson.Default.LsLine);
            if (parsed?.Error is { } error)
            {
                throw new ControlException(ControlErrors.FromCode(error.Code), error.Message);
            }

            if (parsed?.Entry is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>Copies a byte range of a peer's file to <paramref name="destination"/>; returns the byte count.</summary>
    public async Task<long> CatAsync(string peer, string path, long offset, long? length, Stream destination, CancellationToken ct)
    {
        var url = $"v1/cat?peer={Uri.EscapeDataString(peer)}&path={Uri.EscapeDataString(path)}&offset={offset}";
        if (length is { } l)
        {
            url += $"&length={l}";
        }

        using var response = await SendAsync(() => _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct));
        await EnsureSuccessAsync(response, ct);
        var expected = response.Content.Headers.ContentLength;
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        long copied = 0;
        var buffer = new byte[1 << 20];
        try
        {
            int n;
            while ((n = await body.ReadAsync(buffer, ct)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, n), ct);
                copied += n;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw new ControlException(ControlError.PeerError, $"Transfer cut short after {copied} bytes: {ex.Message}", ex);
        }

        if (expected is { } e && copied != e)
        {
            throw new ControlException(ControlError.PeerError, $"Transfer cut short: {copied} of {e} bytes.");
        }

        return copied;
    }

    public void Dispose() => _http.Dispose();

    private async Task<T> GetAsync<T>(string url, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var response = await SendAsync(() => _http.GetAsync(url, ct));
        return await ReadJsonAsync(response, type, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            return await send();
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException or IOException || !File.Exists(_socketPath))
        {
            throw new ControlException(ControlError.DaemonNotRunning,
                $"No hddfs daemon is running for this data directory (no answer on {_socketPath}). Start one with 'hddfs start' or 'hddfs mount'.", ex);
        }
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken ct)
    {
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync(type, ct)
            ?? throw new ControlException(ControlError.Internal, "The daemon sent an empty answer.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        ErrorInfo? error = null;
        try
        {
            error = await response.Content.ReadFromJsonAsync(ControlJson.Default.ErrorInfo, ct);
        }
        catch (JsonException)
        {
        }

        throw error is null
            ? new ControlException(response.StatusCode == HttpStatusCode.NotFound ? ControlError.BadRequest : ControlError.Internal, $"The daemon answered {(int)response.StatusCode} {response.ReasonPhrase}.")
            : new ControlException(ControlErrors.FromCode(error.Code), error.Message);
    }

    private static async Task<string?> ReadLineAsync(StreamReader reader, CancellationToken ct)
    {
        try
        {
            return await reader.ReadLineAsync(ct);
        }
        catch (IOException ex)
        {
            throw new ControlException(ControlError.PeerError, "The listing was cut short: " + ex.Message, ex);
        }
    }
}
