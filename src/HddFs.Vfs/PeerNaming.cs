using HddFs.Core;

namespace HddFs.Vfs;

/// <summary>
/// Gives every visible peer a unique directory name, deterministically from the set of peers alone.
/// A name that is not a valid path component is sanitised ('/' and NUL become '_'; empty, ".", ".." or
/// too long becomes the key fingerprint). Peers whose names collide all get "-" + fingerprint appended;
/// if that still collides (crafted names), "-" + the full key. A name is never assigned twice because a
/// full key is unique and escalation repeats until no duplicate is left.
/// </summary>
internal static class PeerNaming
{
    public static IReadOnlyList<PeerDirectory> Assign(IReadOnlyList<PeerInfo> peers)
    {
        var unique = new Dictionary<PeerId, PeerInfo>();
        foreach (var peer in peers)
        {
            unique.TryAdd(peer.Id, peer);
        }

        var list = unique.Values.OrderBy(p => p.Id).ToList();
        var bases = list.Select(p => Sanitise(p.Name, p.Id)).ToArray();
        var levels = new int[list.Count];
        var names = new string[list.Count];
        while (true)
        {
            for (var i = 0; i < list.Count; i++)
            {
                names[i] = Decorate(bases[i], list[i].Id, levels[i]);
            }

            var changed = false;
            foreach (var group in Enumerable.Range(0, list.Count).GroupBy(i => names[i], StringComparer.Ordinal))
            {
                if (group.Count() < 2)
                {
                    continue;
                }

                // Escalate the least decorated members of the group; fully decorated names are unique.
                var lowest = group.Min(i => levels[i]);
                foreach (var i in group.Where(i => levels[i] == lowest && levels[i] < 2))
                {
                    levels[i]++;
                    changed = true;
                }
            }

            if (!changed)
            {
                break;
            }
        }

        return list.Select((p, i) => new PeerDirectory(p, names[i])).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    private static string Decorate(string name, PeerId id, int level) => level switch
    {
        0 => name,
        1 => Shorten(name, 9) + "-" + id.Fingerprint,
        _ => Shorten(name, 65) + "-" + id.ToHex(),
    };

    // Keeps name + suffix within the 255-byte component limit (names are ASCII-ish; be conservative).
    private static string Shorten(string name, int suffixLength)
    {
        var max = (SharePath.MaxComponentBytes - suffixLength) / 4;
        return name.Length <= max ? name : name[..max];
    }

    private static string Sanitise(string? name, PeerId id)
    {
        var cleaned = (name ?? string.Empty).Replace('/', '_').Replace('\0', '_');
        return SharePath.IsValidComponent(cleaned, out _) ? cleaned : id.Fingerprint;
    }
}
