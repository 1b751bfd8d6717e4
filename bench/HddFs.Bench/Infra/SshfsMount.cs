using System.Globalization;

namespace HddFs.Bench.Infra;

/// <summary>
/// `sshfs -f root@127.0.0.1:DIR MP` against an <see cref="SshdFixture"/>, in the foreground so the bench owns its
/// PID. Default options (sshfs's own defaults, the system's default cipher) unless a cipher is given.
/// </summary>
internal static class SshfsMount
{
    /// <summary>The cipher native.md found fastest for sshfs on this kind of machine.</summary>
    public const string FastCipher = "aes128-gcm@openssh.com";

    public static Task<ProcessFuseMount> MountAsync(SshdFixture sshd, string remoteDirectory, string? cipher, CancellationToken cancellationToken, params string[] extraOptions)
    {
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
        return ProcessFuseMount.MountAsync("sshfs", mountPoint =>
            ["-f", $"root@127.0.0.1:{remoteDirectory}", mountPoint, "-p", sshd.Port.ToString(CultureInfo.InvariantCulture), "-o", string.Join(',', options)],
            cancellationToken);
    }
}
