using System.Globalization;
using HddFs.Testing;

namespace HddFs.Bench.Infra;

/// <summary>
/// `sshfs -f root@127.0.0.1:DIR MP` against an <see cref="SshdFixture"/>, in the foreground so the bench owns its
/// PID. Default options (sshfs's own defaults, the system's default cipher) unless a cipher is given.
/// Dispose unmounts (fusermount3 -u, then lazily) and stops sshfs.
/// </summary>
internal sealed class SshfsMount : IAsyncDisposable
{
    /// <summary>The cipher native.md found fastest for sshfs on this kind of machine.</summary>
    public const string FastCipher = "aes128-gcm@openssh.com";

    private readonly TempDirectory _directory;
    private readonly ChildProcess _sshfs;

    private SshfsMount(TempDirectory directory, ChildProcess sshfs, string mountPoint)
    {
        _directory = directory;
        _sshfs = sshfs;
        MountPoint = mountPoint;
    }

    /// <summary>The mount point; the remote directory's contents appear directly under it.</summary>
    public string MountPoint { get; }

    public ChildProcess Process => _sshfs;

    public static async Task<SshfsMount> MountAsync(SshdFixture sshd, string remoteDirectory, string? cipher, CancellationToken cancellationToken, params string[] extraOptions)
    {
        var directory = new TempDirectory("hddfs-bench-sshfs");
        var mountPoint = directory.Combine("mnt");
        Directory.CreateDirectory(mountPoint);
        var options = new List<string>
        {
            "IdentityFile=" + sshd.IdentityFile,
            "IdentitiesOnly=yes",
            "StrictHostKeyChecking=no",
            "UserKnownHostsFile=/dev/null",
            "BatchMode=yes",
            "LogLevel=ERROR",
        };
        if (cipher is not null)
        {
            options.Add("Ciphers=" + cipher);
        }

        options.AddRange(extraOptions);
        var sshfs = ChildProcess.Start("sshfs", Prerequisites.FindExecutable("sshfs") ?? "sshfs",
            ["-f", $"root@127.0.0.1:{remoteDirectory}", mountPoint, "-p", sshd.Port.ToString(CultureInfo.InvariantCulture), "-o", string.Join(',', options)]);
        var mount = new SshfsMount(directory, sshfs, mountPoint);
        try
        {
            await MountTable.WaitMountedAsync(mountPoint, sshfs, TimeSpan.FromSeconds(20), cancellationToken);
            return mount;
        }
        catch
        {
            await mount.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (MountTable.IsMounted(MountPoint))
            {
                ProcessRunner.TryRun("fusermount3", ["-u", MountPoint]);
            }

            if (!await _sshfs.WaitForExitAsync(TimeSpan.FromSeconds(5)))
            {
                _sshfs.Kill();
            }
        }
        finally
        {
            MountTable.LazyUnmount(MountPoint);
            await _sshfs.DisposeAsync();
            _directory.Dispose();
        }
    }
}
