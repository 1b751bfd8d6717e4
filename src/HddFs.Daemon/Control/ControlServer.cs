using System.Net.Sockets;
using System.Text.Json;
using HddFs.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HddFs.Daemon.Control;

/// <summary>
/// The control API on a Unix socket (mode 0600): JSON over HTTP/1.1, listings streamed as NDJSON,
/// file bytes streamed raw. Maps <see cref="IDaemonControl"/> to routes; knows nothing else of the
/// daemon. Start once, dispose once.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    private const int LsPageSize = 256;

    private readonly WebApplication _app;
    private readonly string _socketPath;

    private ControlServer(WebApplication app, string socketPath)
    {
        _app = app;
        _socketPath = socketPath;
    }

    public string SocketPath => _socketPath;

    /// <summary>Binds the socket (refusing when another daemon already serves it), sets 0600, starts serving.</summary>
    public static async Task<ControlServer> StartAsync(IDaemonControl control, string socketPath, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        await RemoveStaleSocketAsync(socketPath, cancellationToken);
        // An empty builder: no configuration from files or the environment. The slim builder's default
        // content root is the working directory, and its appsettings.json sources reload on change, i.e.
        // a recursive inotify watch of the whole working directory (1,922 directories when started in the
        // repository; all of $HOME for `hddfs mount` run from there), whose watcher thread then woke for
        // every block the cache wrote under ~/.local/share/hddfs (~3,000 context switches per GiB read
        // through the mount) — and an appsettings.json there could have reconfigured Kestrel.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddRoutingCore();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ControlJson.Default));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.ListenUnixSocket(socketPath));
        var app = builder.Build();
        MapRoutes(app, control);
        await app.StartAsync(cancellationToken);
        File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new ControlServer(app, socketPath);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        try
        {
            File.Delete(_socketPath);
        }
        catch (IOException)
        {
        }
    }

    private static void MapRoutes(WebApplication app, IDaemonControl control)
    {
        app.MapGet("/v1/id", () => control.Identity);
        app.MapGet("/v1/peers", () => control.GetPeers().ToArray());
        app.MapGet("/v1/shares", () => control.GetShares().ToArray());
        app.MapPost("/v1/shares", (AddShareRequest request, CancellationToken ct) => Guard(() => control.AddShareAsync(request.Directory, ct)));
        app.MapDelete("/v1/shares/{name}", (string name, CancellationToken ct) => Guard(async () =>
        {
            await control.RemoveShareAsync(name, ct);
            return true;
        }));
        app.MapGet("/v1/topics", () => control.GetTopics().ToArray());
        app.MapPost("/v1/topics", (TopicRequest request, CancellationToken ct) => Guard(() => control.JoinTopicAsync(request.Name, ct)));
        app.MapPost("/v1/topics/leave", (TopicRequest request, CancellationToken ct) => Guard(async () =>
        {
            await control.LeaveTopicAsync(request.Name, ct);
            return true;
        }));
        app.MapGet("/v1/ls", (HttpContext context) => ListAsync(control, context));
        app.MapGet("/v1/cat", (HttpContext context) => CatAsync(control, context));
    }

    private static async Task<IResult> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return Results.Json(await action(), ControlJson.Default.Options);
        }
        catch (Exception ex) when (ToError(ex) is { } error)
        {
            return Error(error.Error, error.Message);
        }
    }

    private static async Task ListAsync(IDaemonControl control, HttpContext context)
    {
        var q = context.Request.Query;
        var ct = context.RequestAborted;
        IAsyncEnumerator<IReadOnlyList<RemoteEntry>>? pages = null;
        try
        {
            var shares = control.ResolvePeer(q["peer"].ToString());
            var path = ParsePath(q["path"].ToString());
            var search = q["search"].ToString();
            var query = new LsQuery(path, string.IsNullOrEmpty(search) ? null : search, q["recursive"] == "true");
            pages = shares.ListAsync(query, ct).GetAsyncEnumerator(ct);
            var first = await pages.MoveNextAsync();
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.StartAsync(ct);
            var more = first;
            while (more)
            {
                foreach (var entry in pages.Current)
                {
                    await WriteLineAsync(context, new LsLine(ToInfo(entry), null), ct);
                }

                await context.Response.Body.FlushAsync(ct);
                more = await NextOrErrorLineAsync(pages, context, ct);
            }
        }
        catch (Exception ex) when (ToError(ex) is { } error && !context.Response.HasStarted)
        {
            await Error(error.Error, error.Message).ExecuteAsync(context);
        }
        finally
        {
            if (pages is not null)
            {
                await pages.DisposeAsync();
            }
        }
    }

    /// <summary>Advances the listing; an error after the first page becomes a final error line.</summary>
    private static async Task<bool> NextOrErrorLineAsync(IAsyncEnumerator<IReadOnlyList<RemoteEntry>> pages, HttpContext context, CancellationToken ct)
    {
        try
        {
            return await pages.MoveNextAsync();
        }
        catch (Exception ex) when (ToError(ex) is { } error)
        {
            await WriteLineAsync(context, new LsLine(null, new ErrorInfo(ControlErrors.ToCode(error.Error), error.Message)), ct);
            return false;
        }
    }

    private static async Task CatAsync(IDaemonControl control, HttpContext context)
    {
        var q = context.Request.Query;
        var ct = context.RequestAborted;
        try
        {
            var shares = control.ResolvePeer(q["peer"].ToString());
            var path = ParsePath(q["path"].ToString());
            var offset = ParseLong(q["offset"].ToString(), 0, "offset");
            var length = ParseLong(q["length"].ToString(), long.MaxValue, "length");
            await using var read = await shares.ReadAsync(path, offset, length, ct);
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = read.Length;
            await read.Body.CopyToAsync(context.Response.Body, 1 << 20, ct);
        }
        catch (Exception ex) when (ToError(ex) is { } error && !context.Response.HasStarted)
        {
            await Error(error.Error, error.Message).ExecuteAsync(context);
        }
        catch (Exception ex) when (ToError(ex) is not null)
        {
            // Bytes were already sent: cut the response short; the client sees a truncated body.
            context.Abort();
        }
    }

    private static Task WriteLineAsync(HttpContext context, LsLine line, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(line, ControlJson.Default.LsLine);
        return context.Response.Body.WriteAsync(bytes.Append((byte)'\n').ToArray(), ct).AsTask();
    }

    private static EntryInfo ToInfo(RemoteEntry e) => new(e.Path.Value, e.Name, e.Size, e.IsDirectory, e.ModifiedUnixMs);

    private static SharePath ParsePath(string text)
    {
        var trimmed = text.Trim('/');
        return SharePath.TryParse(trimmed, out var path, out var error)
            ? path
            : throw new ControlException(ControlError.BadRequest, $"Invalid path '{text}': {error}");
    }

    private static long ParseLong(string text, long fallback, string name)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ControlException(ControlError.BadRequest, $"--{name} must be a non-negative integer, got '{text}'.");
    }

    private static IResult Error(ControlError error, string message)
        => Results.Json(new ErrorInfo(ControlErrors.ToCode(error), message), ControlJson.Default.ErrorInfo, statusCode: (int)ControlErrors.ToHttpStatus(error));

    /// <summary>The errors the API reports as such; anything else is a bug and propagates (500).</summary>
    private static ControlException? ToError(Exception ex) => ex switch
    {
        ControlException c => c,
        RemoteShareException r => new ControlException(ControlErrors.FromRemote(r.Error), r.Message, r),
        OperationCanceledException => null,
        _ => null,
    };

    private static async Task RemoveStaleSocketAsync(string socketPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await probe.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
        }
        catch (SocketException)
        {
            File.Delete(socketPath); // nobody listens: left over from a daemon that died
            return;
        }

        throw new ControlException(ControlError.Conflict, $"Another hddfs daemon is already running with this data directory (control socket {socketPath}).");
    }
}
