namespace HddFs.Peers.Identity;

/// <summary>
/// Where a node keeps its identity, index and cache: <c>--data-dir</c> when given, else
/// <c>$XDG_DATA_HOME/hddfs</c>, else <c>~/.local/share/hddfs</c>. Created with mode 0700.
/// </summary>
public static class DataDirectory
{
    public static string Resolve(string? explicitDirectory)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
        {
            return Path.GetFullPath(explicitDirectory);
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "hddfs");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".local", "share", "hddfs");
    }

    /// <summary>Creates the directory (0700) if missing and returns it.</summary>
    public static string Ensure(string directory)
    {
        if (!Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return directory;
    }
}
