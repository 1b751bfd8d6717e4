using System.Diagnostics;

namespace HddFs.Mount.Tests;

/// <summary>What a finished program printed, and how long it took.</summary>
internal sealed record ShellResult(int Exit, string Output, string Errors, TimeSpan Elapsed)
{
    public ShellResult EnsureSuccess(string what)
    {
        Assert.True(Exit == 0, $"{what} exited {Exit}: {Errors.Trim()} {Output.Trim()}");
        return this;
    }
}

/// <summary>Runs programs with a bound on their run time: a test never waits forever on a stuck reader.</summary>
internal static class Shell
{
    public static Task<ShellResult> RunAsync(string file, params string[] args) => RunAsync(file, args, TimeSpan.FromSeconds(60));

    /// <summary>Runs a shell command line (pipes).</summary>
    public static Task<ShellResult> ShAsync(string commandLine, TimeSpan? timeout = null) => RunAsync("sh", ["-c", commandLine], timeout ?? TimeSpan.FromSeconds(60));

    public static async Task<ShellResult> RunAsync(string file, IReadOnlyList<string> args, TimeSpan timeout)
    {
        using var process = Start(file, args);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        var watch = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout.TotalSeconds} s");
        }

        var elapsed = watch.Elapsed;
        return new ShellResult(process.ExitCode, await output, await errors, elapsed);
    }

    /// <summary>Starts a program with redirected output; the caller waits, kills and disposes it.</summary>
    public static Process Start(string file, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
    }
}
