using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using HddFs.Core;
using HddFs.Shares.Interop;

namespace HddFs.Shares;

/// <summary>
/// Reads one directory the way find(1) does: getdents64 on an open descriptor, then one statx per
/// entry relative to that descriptor (no per-component path walk, no exceptions, no string built per
/// file except its name). Applies the symlink policy and skips what cannot be served. One instance
/// per walker thread (it owns a 64 KiB buffer); not thread-safe.
/// </summary>
internal sealed class DirectoryReader
{
    private const int BufferSize = 64 * 1024;
    private readonly byte[] _buffer = new byte[BufferSize];

    public DirectoryListing Read(DirectoryWork work, ScanContext scan)
    {
        var listing = new DirectoryListing(work);
        var fullPath = work.FullPath;
        var pathBytes = Libc.NulTerminated(fullPath);

        if (work.CheckFirst)
        {
            scan.CountChecked();
            var statError = Libc.StatxPath(Libc.AtFdCwd, ref pathBytes[0], followSymlink: false, out var before);
            if (statError == 0 && before.IsDirectory && work.KnownChangeNs != 0 && before.ChangeUnixNs == work.KnownChangeNs)
            {
                listing.Unchanged = true;
                return listing;
            }
        }

        scan.CountListed();
        var fault = scan.Options.ListingFault?.Invoke(fullPath) ?? 0;

        // O_NONBLOCK: if the directory was swapped for a FIFO, open must not wait for a writer.
        var fd = fault != 0 ? -fault : Libc.OpenPath(pathBytes, Libc.ORdOnly | Libc.ONonBlock);
        if (fd < 0)
        {
            // Keep its ctime, so that a quick scan tries again only once it changed (e.g. a chmod).
            listing.Errno = -fd;
            if (Libc.StatxPath(Libc.AtFdCwd, ref pathBytes[0], followSymlink: false, out var failed) == 0)
            {
                listing.ChangeNs = TrustedChange(failed.ChangeUnixNs, scan);
                listing.ModifiedUnixMs = failed.ModifiedUnixMs;
            }

            return listing;
        }

        try
        {
            if (Libc.StatxFd(fd, out var self) is var e and not 0)
            {
                listing.Errno = e;
                return listing;
            }

            if (!self.IsDirectory)
            {
                listing.Errno = Libc.ENotDir;
                return listing;
            }

            // What was opened must be exactly the expected directory: not reached through a symlink
            // swapped in since its parent was read, not moved, not deleted (we never follow
            // directory symlinks, so the kernel's path for it is root + "/" + relative path).
            var opened = RealPaths.OfDescriptor(fd);
            if (opened is null || !opened.AsSpan().SequenceEqual(pathBytes.AsSpan(0, pathBytes.Length - 1)))
            {
                listing.Errno = Libc.ENoEnt;
                return listing;
            }

            listing.ChangeNs = TrustedChange(self.ChangeUnixNs, scan);
            listing.ModifiedUnixMs = self.ModifiedUnixMs;
            ReadEntries(fd, work, scan, listing);
            return listing;
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }

    /// <summary>The ctime to store, or 0 when it is too recent to trust (see ScanContext.RacyThresholdNs).</summary>
    private static long TrustedChange(long changeNs, ScanContext scan) => changeNs >= scan.RacyThresholdNs ? 0 : changeNs;

    private void ReadEntries(int fd, DirectoryWork work, ScanContext scan, DirectoryListing listing)
    {
        while (true)
        {
            var count = Libc.GetDents64(fd, ref _buffer[0], (nuint)_buffer.Length);
            if (count == 0)
            {
                return;
            }

            if (count < 0)
            {
                var errno = Libc.LastError;
                if (errno == Libc.EIntr)
                {
                    continue;
                }

                listing.Errno = errno;
                return;
            }

            for (var offset = 0; offset < count;)
            {
                var record = _buffer.AsSpan(offset, (int)count - offset);
                var reclen = MemoryMarshal.Read<ushort>(record[Libc.DirentReclenOffset..]);
                if (reclen <= Libc.DirentNameOffset || reclen > record.Length)
                {
                    listing.Errno = Libc.EIo;
                    return;
                }

                var type = record[Libc.DirentTypeOffset];
                var nameStart = offset + Libc.DirentNameOffset;
                var nameLength = _buffer.AsSpan(nameStart, reclen - Libc.DirentNameOffset).IndexOf((byte)0);
                if (nameLength > 0)
                {
                    ReadEntry(fd, work, scan, listing, nameStart, nameLength, type);
                }

                offset += reclen;
            }
        }
    }

    private void ReadEntry(int fd, DirectoryWork work, ScanContext scan, DirectoryListing listing, int nameStart, int nameLength, byte direntType)
    {
        var nameBytes = _buffer.AsSpan(nameStart, nameLength);
        if (nameBytes.SequenceEqual("."u8) || nameBytes.SequenceEqual(".."u8))
        {
            return;
        }

        if (!Utf8.IsValid(nameBytes))
        {
            scan.Skipped(RealPaths.Join(work.FullPath, Encoding.UTF8.GetString(nameBytes)), SkipReason.NameNotUtf8);
            return;
        }

        var name = Encoding.UTF8.GetString(nameBytes);
        if (nameLength > SharePath.MaxComponentBytes || work.SharePathBytes + 1 + nameLength > SharePath.MaxBytes)
        {
            scan.Skipped(RealPaths.Join(work.FullPath, name), SkipReason.PathTooLong);
            return;
        }

        if (direntType == Libc.DtDir)
        {
            // Its own listing stats it; nothing needed from here.
            listing.Directories.Add(new ScannedDirectory(name, 0, false));
            return;
        }

        if (Libc.StatxPath(fd, ref _buffer[nameStart], followSymlink: false, out var stat) is var error and not 0)
        {
            scan.Skipped(RealPaths.Join(work.FullPath, name), error == Libc.ENoEnt ? SkipReason.Vanished : SkipReason.Unreadable);
            return;
        }

        if (stat.IsDirectory)
        {
            listing.Directories.Add(new ScannedDirectory(name, 0, false));
        }
        else if (stat.IsRegularFile)
        {
            AddFile(work, scan, listing, name, stat);
        }
        else if (stat.IsSymlink)
        {
            ReadSymlink(fd, work, scan, listing, nameStart, name);
        }
        else
        {
            scan.Skipped(RealPaths.Join(work.FullPath, name), SkipReason.SpecialFile);
        }
    }

    /// <summary>The symlink policy: a link is indexed only when it leads to a regular file whose real
    /// path lies inside the share's real root. Links to directories are never followed (no cycles,
    /// no double counting); broken links and loops are skipped.</summary>
    private void ReadSymlink(int fd, DirectoryWork work, ScanContext scan, DirectoryListing listing, int nameStart, string name)
    {
        var path = RealPaths.Join(work.FullPath, name);
        if (Libc.StatxPath(fd, ref _buffer[nameStart], followSymlink: true, out var target) != 0)
        {
            scan.Skipped(path, SkipReason.SymlinkBroken);
            return;
        }

        if (target.IsDirectory)
        {
            scan.Skipped(path, SkipReason.SymlinkToDirectory);
            return;
        }

        if (!target.IsRegularFile)
        {
            scan.Skipped(path, SkipReason.SpecialFile);
            return;
        }

        var real = RealPaths.Resolve(path, out _);
        if (real is null || !RealPaths.IsSameOrUnder(Encoding.UTF8.GetBytes(real), work.Share.RootBytes))
        {
            scan.Skipped(path, SkipReason.SymlinkOutsideShare);
            return;
        }

        AddFile(work, scan, listing, name, target);
    }

    private static void AddFile(DirectoryWork work, ScanContext scan, DirectoryListing listing, string name, in StatxBuffer stat)
    {
        if (!scan.Credentials.CanRead(stat))
        {
            scan.Skipped(RealPaths.Join(work.FullPath, name), SkipReason.Unreadable);
            return;
        }

        listing.Files.Add(new ScannedFile(name, (long)stat.Size, stat.ModifiedUnixMs));
    }
}
