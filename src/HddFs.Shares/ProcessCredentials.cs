using System.Globalization;
using HddFs.Shares.Interop;

namespace HddFs.Shares;

/// <summary>
/// Who this process is, to predict from a stat's mode bits whether a file can be read, so that files
/// that could never be served are skipped at index time (without an extra access(2) per file). Reads
/// the effective uid, effective gid and supplementary groups from /proc/self/status once. ACLs and
/// capabilities other than root's are not modelled: the read path still reports Forbidden if a
/// prediction was wrong. Immutable.
/// </summary>
internal sealed class ProcessCredentials
{
    private const int ReadOwner = 0x100;
    private const int ReadGroup = 0x20;
    private const int ReadOther = 0x4;

    private readonly uint _uid;
    private readonly HashSet<uint> _groups;

    private ProcessCredentials(uint uid, HashSet<uint> groups)
    {
        _uid = uid;
        _groups = groups;
    }

    public static ProcessCredentials Current { get; } = Load();

    /// <summary>Root reads everything (CAP_DAC_OVERRIDE).</summary>
    public bool IsRoot => _uid == 0;

    public bool CanRead(in StatxBuffer stat)
    {
        if (IsRoot)
        {
            return true;
        }

        var bit = stat.Uid == _uid ? ReadOwner : _groups.Contains(stat.Gid) ? ReadGroup : ReadOther;
        return (stat.Mode & bit) != 0;
    }

    private static ProcessCredentials Load()
    {
        uint uid = uint.MaxValue;
        var groups = new HashSet<uint>();
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                // "Uid:\treal\teffective\tsaved\tfs", "Gid:" likewise, "Groups:\tg1 g2 ..."
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                {
                    uid = Field(line, 2);
                }
                else if (line.StartsWith("Gid:", StringComparison.Ordinal))
                {
                    groups.Add(Field(line, 2));
                }
                else if (line.StartsWith("Groups:", StringComparison.Ordinal))
                {
                    foreach (var g in line["Groups:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                    {
                        groups.Add(uint.Parse(g, CultureInfo.InvariantCulture));
                    }
                }
            }
        }
        catch (IOException)
        {
            // Unknown identity: predict "readable" never for others' files, the read path decides.
        }

        return new ProcessCredentials(uid, groups);
    }

    private static uint Field(string line, int index)
    {
        var parts = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > index ? uint.Parse(parts[index], CultureInfo.InvariantCulture) : uint.MaxValue;
    }
}
