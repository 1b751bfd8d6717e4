using System.Text;

namespace HddFs.Mount;

/// <summary>One line of /proc/self/mountinfo: where, what type, from where.</summary>
internal readonly record struct MountInfoEntry(string MountPoint, string FileSystemType, string Source);

/// <summary>Reads /proc/self/mountinfo (this process's mount namespace). Stateless, thread-safe.</summary>
internal static class MountInfo
{
    private const string Path = "/proc/self/mountinfo";

    /// <summary>The topmost mount at exactly <paramref name="mountPoint"/> (a canonical path), if any.</summary>
    public static MountInfoEntry? Find(string mountPoint)
    {
        MountInfoEntry? found = null;
        foreach (var line in File.ReadLines(Path))
        {
            if (TryParse(line, out var entry) && entry.MountPoint == mountPoint)
            {
                found = entry; // later lines are mounted on top of earlier ones
            }
        }

        return found;
    }

    // "36 35 98:0 /root /mnt/point rw,noatime master:1 - fuse.hddfs hddfs ro,user_id=0"
    internal static bool TryParse(string line, out MountInfoEntry entry)
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

        entry = new MountInfoEntry(Unescape(before[4]), Unescape(after[0]), Unescape(after[1]));
        return true;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as \ooo (octal).</summary>
    internal static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var raw = Encoding.UTF8.GetBytes(field);
        var bytes = new List<byte>(raw.Length);
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
}
