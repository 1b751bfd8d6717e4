using System.Globalization;
using System.Net.Sockets;
using HddFs.Testing;

namespace HddFs.Bench.Infra;

/// <summary>
/// A throwaway sshd on 127.0.0.1 for the sshfs baselines: fresh ed25519 host and user keys in a temp
/// directory, key-only root login, the sftp subsystem, a free port. Started in the foreground (-D) and
/// killed by PID on dispose, with the temp directory removed.
/// </summary>
internal sealed class SshdFixture : IAsyncDisposable
{
    private static readonly string[] SftpServers = ["/usr/lib/openssh/sftp-server", "/usr/libexec/openssh/sftp-server", "/usr/libexec/sftp-server"];

    private readonly TempDirectory _directory;
    private readonly ChildProcess _sshd;

    private SshdFixture(TempDirectory directory, ChildProcess sshd, int port, string identityFile)
    {
        _directory = directory;
        _sshd = sshd;
        Port = port;
        IdentityFile = identityFile;
    }

    public int Port { get; }

    /// <summary>The client's private key (for sshfs -o IdentityFile=...).</summary>
    public string IdentityFile { get; }

    public int Pid => _sshd.Pid;

    public static async Task<SshdFixture> StartAsync(CancellationToken cancellationToken)
    {
        var directory = new TempDirectory("hddfs-bench-sshd");
        ChildProcess? sshd = null;
        try
        {
            var hostKey = directory.Combine("host_ed25519");
            var userKey = directory.Combine("user_ed25519");
            KeyGen(hostKey);
            KeyGen(userKey);
            var authorizedKeys = directory.Combine("authorized_keys");
            File.Copy(userKey + ".pub", authorizedKeys);
            var sftpServer = SftpServers.FirstOrDefault(File.Exists) ?? "internal-sftp";
            var port = FreePort.Tcp();
            var config = directory.WriteFile("sshd_config", string.Join('\n',
                $"ListenAddress 127.0.0.1:{port}",
                $"HostKey {hostKey}",
                $"AuthorizedKeysFile {authorizedKeys}",
                $"PidFile {directory.Combine("sshd.pid")}",
                "PermitRootLogin prohibit-password",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "UseDNS no",
                "LogLevel ERROR",
                $"Subsystem sftp {sftpServer}",
                ""));

            // Privilege separation needs /run/sshd (normally made by the service unit).
            Directory.CreateDirectory("/run/sshd");
            var sshdPath = Prerequisites.FindExecutable("sshd") ?? "/usr/sbin/sshd";
            sshd = ChildProcess.Start("sshd", sshdPath, ["-D", "-e", "-f", config]);
            await WaitForPortAsync(sshd, port, cancellationToken);
            return new SshdFixture(directory, sshd, port, userKey);
        }
        catch
        {
            if (sshd is not null)
            {
                await sshd.DisposeAsync();
            }

            directory.Dispose();
            throw;
        }
    }

    /// <summary>PIDs of this sshd's per-connection processes (its descendants), e.g. to freeze a session.</summary>
    public IReadOnlyList<int> SessionPids() => ProcessTree.Descendants(_sshd.Pid);

    public async ValueTask DisposeAsync()
    {
        // Sessions first (a stopped one must not outlive the test), then the listener.
        foreach (var pid in SessionPids())
        {
            ProcessRunner.TryRun("kill", ["-s", "KILL", pid.ToString(CultureInfo.InvariantCulture)]);
        }

        await _sshd.DisposeAsync();
        _directory.Dispose();
    }

    private static void KeyGen(string path)
        => ProcessRunner.Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "hddfs-bench", "-f", path], TimeSpan.FromSeconds(30))
            .EnsureSuccess("ssh-keygen");

    private static async Task WaitForPortAsync(ChildProcess sshd, int port, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            sshd.ThrowIfExited();
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port, cancellationToken);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }
}
