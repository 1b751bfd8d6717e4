using System.Diagnostics;

namespace HddFs.Testing;

/// <summary>Runs short external commands (ip, mount, dd...) and captures their output.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public Result EnsureSuccess(string what)
            => ExitCode == 0 ? this : throw new InvalidOperationException($"{what} failed ({ExitCode}): {StandardError.Trim()} {StandardOutput.Trim()}");
    }

    public static Result Run(string file, IEnumerable<string> arguments, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish in time");
        }

        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public static Result RunChecked(string file, params string[] arguments) => Run(file, arguments).EnsureSuccess($"{file} {string.Join(' ', arguments)}");

    /// <summary>Runs and ignores failures (cleanup paths).</summary>
    public static void TryRun(string file, IEnumerable<string> arguments)
    {
        try
        {
            Run(file, arguments, TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
        }
    }
}
