using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;

namespace HddFs.Testing;

/// <summary>One leg of a namespace on a switch: the interface inside the namespace and its address.</summary>
public sealed record NetworkLeg(string Interface, IPAddress Address, int PrefixLength);

/// <summary>
/// A Linux network namespace made for a test (<c>ip netns add</c>), deleted on dispose. Built by
/// <see cref="NetworkNamespaceLab"/>, which names it and wires it up.
///
/// Running code "inside" it, two ways:
/// <list type="bullet">
/// <item><see cref="Run{T}(Func{T})"/> runs a delegate on a dedicated thread that called
/// setns(CLONE_NEWNET) on /run/netns/NAME. A socket is bound to the namespace of the thread that
/// created it for its whole life, so sockets created there can then be used from any thread
/// (async I/O included). Interface enumeration (getifaddrs/netlink) there also sees the namespace.
/// Caveat: /sys/class/net is still the host's (sysfs follows its mount), so .NET's
/// NetworkInterface.OperationalStatus may read as Unknown inside.</item>
/// <item><see cref="StartProcess"/> starts a child under <c>nsenter --net=/run/netns/NAME</c>
/// (same mount namespace, unlike <c>ip netns exec</c>); the fixture kills it by PID on dispose.</item>
/// </list>
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    // Invariant: _thread runs only in this namespace once _ready is set; it exits when _work completes.
    private readonly BlockingCollection<Action> _work = new(boundedCapacity: 64);
    private readonly List<Process> _processes = [];
    private readonly List<NetworkLeg> _legs = [];
    private readonly Lock _gate = new();
    private Thread? _thread;
    private bool _disposed;

    internal NetworkNamespace(string name)
    {
        Name = name;
        NetworkNamespaceCommand.Run("ip", "netns", "add", name);
        NetworkNamespaceCommand.Run("ip", "-n", name, "link", "set", "lo", "up");
    }

    public string Name { get; }

    public string Path => "/run/netns/" + Name;

    /// <summary>The interfaces the lab attached, in order.</summary>
    public IReadOnlyList<NetworkLeg> Legs
    {
        get
        {
            lock (_gate)
            {
                return [.. _legs];
            }
        }
    }

    /// <summary>The address of the first leg (the usual case: a host on one switch).</summary>
    public IPAddress Address => Legs.Count > 0 ? Legs[0].Address : throw new InvalidOperationException($"{Name} has no legs");

    internal void AddLeg(NetworkLeg leg)
    {
        lock (_gate)
        {
            _legs.Add(leg);
        }
    }

    /// <summary>Runs <paramref name="action"/> synchronously on this namespace's thread.</summary>
    public T Run<T>(Func<T> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        EnsureThread();
        using var done = new ManualResetEventSlim();
        T result = default!;
        Exception? failure = null;
        _work.Add(() =>
        {
            try
            {
                result = action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        if (failure is not null)
        {
            throw new AggregateException($"failed inside namespace {Name}", failure);
        }

        return result;
    }

    public void Run(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        Run(() =>
        {
            action();
            return 0;
        });
    }

    /// <summary>Runs a command inside the namespace (<c>ip netns exec</c>) and returns its stdout.</summary>
    public string Exec(string file, params string[] args)
        => NetworkNamespaceCommand.Run("ip", ["netns", "exec", Name, file, .. args]);

    /// <summary>
    /// Starts a long-running child inside the namespace. Its output is discarded unless redirected by
    /// the caller through <paramref name="configure"/>; it is killed (whole tree, by PID) on dispose.
    /// </summary>
    public Process StartProcess(string file, IEnumerable<string> args, Action<ProcessStartInfo>? configure = null)
    {
        var psi = new ProcessStartInfo("nsenter") { UseShellExecute = false };
        psi.ArgumentList.Add("--net=" + Path);
        psi.ArgumentList.Add("--");
        psi.ArgumentList.Add(file);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        configure?.Invoke(psi);
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file} in {Name}");
        lock (_gate)
        {
            _processes.Add(process);
        }

        return process;
    }

    private void EnsureThread()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_thread is not null)
            {
                return;
            }

            using var ready = new ManualResetEventSlim();
            Exception? failure = null;
            _thread = new Thread(() =>
            {
                try
                {
                    using var handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read);
                    if (NetworkNamespaceInterop.SetNs((int)handle.DangerousGetHandle(), NetworkNamespaceInterop.CLONE_NEWNET) != 0)
                    {
                        failure = new InvalidOperationException($"setns({Path}) failed: errno {Marshal.GetLastPInvokeError()}");
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    failure = ex;
                }

                ready.Set();
                if (failure is not null)
                {
                    return;
                }

                foreach (var item in _work.GetConsumingEnumerable())
                {
                    item();
                }
            })
            {
                IsBackground = true,
                Name = "netns " + Name,
            };
            _thread.Start();
            ready.Wait();
            if (failure is not null)
            {
                _thread = null;
                throw failure;
            }
        }
    }

    public void Dispose()
    {
        Thread? thread;
        List<Process> processes;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            thread = _thread;
            processes = [.. _processes];
        }

        foreach (var p in processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }
            finally
            {
                p.Dispose();
            }
        }

        _work.CompleteAdding();
        thread?.Join(TimeSpan.FromSeconds(5));
        _work.Dispose();
        NetworkNamespaceCommand.TryRun("ip", "netns", "del", Name);
    }
}
