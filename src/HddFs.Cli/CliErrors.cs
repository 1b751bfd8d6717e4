using HddFs.Daemon.Control;
using HddFs.Peers.Identity;

namespace HddFs.Cli;

/// <summary>Runs a verb and turns the failures users can meet into one line on stderr and an exit status.</summary>
internal static class CliErrors
{
    public static async Task<int> RunAsync(Func<Task<int>> verb)
    {
        try
        {
            return await verb();
        }
        catch (ControlException ex)
        {
            await Console.Error.WriteLineAsync("hddfs: " + ex.Message);
            return ControlErrors.ToExitCode(ex.Error);
        }
        catch (IdentityException ex)
        {
            await Console.Error.WriteLineAsync("hddfs: " + ex.Message);
            return 1;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("hddfs: interrupted");
            return 130;
        }
        catch (IOException ex) when (ex.HResult == 32 || ex.Message.Contains("Broken pipe", StringComparison.Ordinal))
        {
            return 0; // stdout closed early (e.g. `hddfs cat ... | head`)
        }
    }
}
