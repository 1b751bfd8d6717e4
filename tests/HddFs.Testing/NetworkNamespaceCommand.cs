using System.Diagnostics;
using System.Text;

namespace HddFs.Testing;

/// <summary>Runs ip/nft/sysctl for the namespace fixtures and fails loudly with their stderr.</summary>
internal static class NetworkNamespaceCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static string Run(string file, params string[] args)
    {
        var (code, stdout, stderr) = TryRun(file, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"`{file} {string.Join(' ', args)}` exited {code}: {stderr.Trim()}");
        }

        return stdout;
    }

    public static (int ExitCode, string Stdout, string Stderr) TryRun(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var outTask = process.StandardOutput.ReadToEndAsync();
        var errTask = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`{file} {string.Join(' ', args)}` did not finish in {Timeout.TotalSeconds} s");
        }

        process.WaitForExit();
        stdout.Append(outTask.GetAwaiter().GetResult());
        stderr.Append(errTask.GetAwaiter().GetResult());
        return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
