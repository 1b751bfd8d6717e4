using System.Globalization;
using System.Text;

namespace HddFs.Fuse;

/// <summary>One line of /proc/self/mountinfo: where, which device ("major:minor"), what type, from where.</summary>
public readonly record struct MountEntry(string MountPoint, string DeviceId, string FileSystemType, string Source);

/// <summary>Reads /proc/self/mountinfo (the mount namespace of this process). Stateless, thread-safe.</summary>
public static class MountTable
{
    public static IReadOnlyList<MountEntry> Read()
    {
        var entries = new List<MountEntry>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            if (TryParse(line, out var entry))
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>The topmost mount at exactly <paramref name="mountPoint"/> (a canonical path), of any type, if any.</summary>
    public static MountEntry? Find(string mountPoint) => FindLast(mountPoint, _ => true);

    /// <summary>The FUSE mount on top at <paramref name="mountPoint"/> (the last one mounted there), if any.</summary>
    public static MountEntry? FindFuse(string mountPoint) => FindLast(mountPoint, IsFuse);

    private static MountEntry? FindLast(string mountPoint, Func<string, bool> type)
    {
        MountEntry? found = null;
        foreach (var entry in Read())
        {
            if (entry.MountPoint == mountPoint && type(entry.FileSystemType))
            {
                found = entry; // later lines are mounted on top of earlier ones
            }
        }

        return found;
    }

    internal static bool IsMounted(string mountPoint, string deviceId)
        => Read().Any(e => e.MountPoint == mountPoint && e.DeviceId == deviceId);

    internal static bool IsFuse(string fsType) => fsType == "fuse" || fsType.StartsWith("fuse.", StringComparison.Ordinal);

    // "36 35 98:0 /root /mnt/point rw,noatime master:1 - fuse.hello hello rw,user_id=0"
    internal static bool TryParse(string line, out MountEntry entry)
    {
        entry = default;
        var separator = line.IndexOf(" - ", StringComparison.Ordinal);
        if (separator < 0)
        {
            return false;
        }

        var before = line[..separator].Split(' ');
        var after = line[(separator + 3)..].Split(' ');
        if (before.Length < 6 || after.Length < 2)
        {
            return false;
        }

        entry = new MountEntry(Unescape(before[4]), before[2], Unescape(after[0]), Unescape(after[1]));
        return true;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo.</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var bytes = new List<byte>(field.Length);
        var raw = Encoding.UTF8.GetBytes(field);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 3 < raw.Length && IsOctal(raw[i + 1]) && IsOctal(raw[i + 2]) && IsOctal(raw[i + 3]))
            {
                bytes.Add((byte)(((raw[i + 1] - '0') << 6) | ((raw[i + 2] - '0') << 3) | (raw[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.Add(raw[i]);
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(byte b) => b is >= (byte)'0' and <= (byte)'7';

    internal static string Minor(string deviceId) => deviceId[(deviceId.IndexOf(':', StringComparison.Ordinal) + 1)..];

    internal static int ParseInt(string s) => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
}
