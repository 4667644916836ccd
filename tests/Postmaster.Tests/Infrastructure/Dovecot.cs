using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Postmaster.Tests.Infrastructure;

/// <summary>
/// A real Dovecot IMAP server (Debian package dovecot-imapd) on 127.0.0.1 and a free TCP port, with a
/// configuration of its own in a fresh temp folder (never /etc/dovecot or the system service): plaintext
/// IMAP without TLS, one user from a passwd-file, and that user's Maildir, which <see cref="Deliver"/>
/// writes to directly as a mail delivery agent would.
/// </summary>
public sealed class DovecotServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly ServerProcess _process;
    private readonly string _directory;
    private int _delivered;
    private bool _disposed;

    private DovecotServer(ServerProcess process, string directory, int port, string password)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Password = password;
        ProcessId = process.Id;
    }

    public static string? UnavailableReason
    {
        get
        {
            if (Executable is null || !ImapDirectories.Any(d => File.Exists(Path.Combine(d, "imap"))))
            {
                return "dovecot with its IMAP server not found (/usr/sbin/dovecot, /usr/lib/dovecot/imap): install the Debian package dovecot-imapd (apt-get install dovecot-imapd).";
            }

            if (IsRoot && !(UserExists("dovecot") && UserExists("dovenull")))
            {
                return "dovecot runs as root but the users dovecot and dovenull do not exist: install the Debian package dovecot-imapd (apt-get install dovecot-imapd), which creates them.";
            }

            return null;
        }
    }

    /// <summary>The IMAP port on 127.0.0.1 (no TLS: Security "none").</summary>
    public int Port { get; }

    public string Host { get; } = "127.0.0.1";

    public string User { get; } = "bounces";

    public string Password { get; }

    public int ProcessId { get; }

    /// <summary>The user's Maildir: <c>new/</c> holds what was delivered and not yet looked at, <c>cur/</c> the rest.</summary>
    public string Maildir => Path.Combine(_directory, "mail", User);

    private string LogPath => Path.Combine(_directory, "dovecot.log");

    private static string? Executable => Requirement.FindExecutable("dovecot", "/usr/sbin");

    private static string[] ImapDirectories => ["/usr/lib/dovecot", "/usr/libexec/dovecot"];

    private static bool IsRoot => Environment.UserName == "root";

    public static async Task<DovecotServer> StartAsync(CancellationToken cancellationToken = default)
    {
        Requirement.Require(UnavailableReason);
        var directory = Directory.CreateTempSubdirectory("postmaster-dovecot-").FullName;
        try
        {
            var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
            var users = await PrepareAsync(directory, password);

            // dovecot binds when it starts, so a port taken between our check and its bind shows as a quick exit: try another.
            for (var attempt = 1; ; attempt++)
            {
                var port = ProcessRunner.FreeLoopbackPort();
                var config = WriteConfig(directory, port, users);
                var server = Launch(config, directory, port, password);
                try
                {
                    await server.WaitUntilGreetingAsync(cancellationToken);
                    return server;
                }
                catch (PortInUseException) when (attempt < 5)
                {
                    await server.StopAsync();
                }
                catch
                {
                    await server.StopAsync();
                    throw;
                }
            }
        }
        catch
        {
            ServerProcess.DeleteDirectory(directory);
            throw;
        }
    }

    /// <summary>
    /// Puts a message in the user's Maildir as a new, unseen message (written to <c>tmp/</c>, then moved
    /// into <c>new/</c>, so the server never sees half of it). The server picks it up at the next look.
    /// </summary>
    public void Deliver(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var name = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.P{Environment.ProcessId}Q{Interlocked.Increment(ref _delivered)}.postmaster-test");
        var temporary = Path.Combine(Maildir, "tmp", name);
        File.WriteAllBytes(temporary, message);

        // Readable by the mail user; the folders are its own, so it can move the file to cur/ and rename it for flags.
        Chmod(temporary, ReadableByAll);

        File.Move(temporary, Path.Combine(Maildir, "new", name));
    }

    /// <summary>Dovecot's own log (logins, authentication failures, errors), for failure messages.</summary>
    public string ReadLog()
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd().Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync();
        ServerProcess.DeleteDirectory(_directory);
    }

    private sealed record Users(string Internal, string InternalGroup, string Login, string Mail, string MailGroup, bool Chroot);

    private static async Task<Users> PrepareAsync(string directory, string password)
    {
        Users users;
        if (IsRoot)
        {
            // As root dovecot drops privileges: its helpers run as the package's users dovecot (internal)
            // and dovenull (login, chrooted into base_dir/login), and it refuses to read mail as uid 0,
            // so the mailbox belongs to dovecot too. They must reach the files below the temp folder.
            users = new Users("dovecot", "dovecot", "dovenull", "dovecot", "dovecot", Chroot: true);
            Chmod(directory, ReadableByAll | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        else
        {
            // Unprivileged, everything runs as the current user, and chroot (which needs root) is off.
            var (exitCode, group) = await ProcessRunner.RunAsync("id", ["-gn"], TimeSpan.FromSeconds(10));
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"id -gn failed ({exitCode}): {group.Trim()}");
            }

            users = new Users(Environment.UserName, group.Trim(), Environment.UserName, Environment.UserName, group.Trim(), Chroot: false);
        }

        var passwd = Path.Combine(directory, "passwd");
        File.WriteAllText(passwd, $"bounces:{{PLAIN}}{password}\n");
        Chmod(passwd, ReadableByAll);
        var maildir = Path.Combine(directory, "mail", "bounces");
        foreach (var sub in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, sub));
        }

        if (IsRoot)
        {
            var mail = Path.Combine(directory, "mail");
            var (exitCode, output) = await ProcessRunner.RunAsync("chown", ["-R", $"{users.Mail}:{users.MailGroup}", mail], TimeSpan.FromSeconds(10));
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"chown of {mail} failed ({exitCode}): {output.Trim()}");
            }
        }

        return users;
    }

    private static string WriteConfig(string directory, int port, Users users)
    {
        var chroot = users.Chroot ? "" : "\n  chroot =";
        var config = $$"""
            # A throw-away Dovecot for Postmaster's tests: IMAP only, on 127.0.0.1:{{port}}, no TLS.
            base_dir = {{directory}}/run
            state_dir = {{directory}}/state
            instance_name = postmaster-test-{{port}}
            log_path = {{directory}}/dovecot.log
            protocols = imap
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            auth_failure_delay = 0
            default_internal_user = {{users.Internal}}
            default_internal_group = {{users.InternalGroup}}
            default_login_user = {{users.Login}}
            first_valid_uid = 1
            first_valid_gid = 1
            mail_location = maildir:{{directory}}/mail/%u
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{directory}}/passwd
            }
            userdb {
              driver = static
              args = uid={{users.Mail}} gid={{users.MailGroup}} home={{directory}}/mail/%u
            }
            service anvil {{{chroot}}
              unix_listener anvil-auth-penalty {
                mode = 0
              }
            }
            service imap-login {{{chroot}}
              inet_listener imap {
                address = 127.0.0.1
                port = {{port}}
              }
              inet_listener imaps {
                port = 0
              }
            }

            """;
        var path = Path.Combine(directory, "dovecot.conf");
        File.WriteAllText(path, config);
        Chmod(path, ReadableByAll);
        return path;
    }

    private static DovecotServer Launch(string config, string directory, int port, string password)
    {
        // -F: stay in the foreground (no fork, so the PID is the master, and its helpers are its children).
        var process = ServerProcess.Start(Executable!, ["-F", "-c", config]);
        return new DovecotServer(process, directory, port, password);
    }

    private string Output
    {
        get
        {
            return (_process.Output + "\n" + ReadLog()).Trim();
        }
    }

    private async Task WaitUntilGreetingAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken); // flushes the output readers
                var output = Output;
                var message = $"dovecot exited with code {_process.ExitCode} before greeting on {Host}:{Port}: {output}";
                throw output.Contains("in use", StringComparison.OrdinalIgnoreCase)
                    ? new PortInUseException(message)
                    : new InvalidOperationException(message);
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"dovecot (pid {ProcessId}) did not greet on {Host}:{Port} within {StartTimeout.TotalSeconds:0} s: {Output}");
            }

            try
            {
                // The master binds, then forks imap-login, which writes "* OK ... ready." to each connection.
                using var client = new TcpClient(AddressFamily.InterNetwork);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(IPAddress.Loopback, Port, attempt.Token);
                using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
                var greeting = await reader.ReadLineAsync(attempt.Token);
                if (greeting is not null && greeting.StartsWith("* OK", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Not listening or not answering yet.
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    // SIGTERM makes the master wait seconds for its helpers; the folder is deleted anyway, so the
    // master and the helpers it forked (all of them its children) are killed at once.
    private Task StopAsync() => _process.StopAsync(entireProcessTree: true);

    private const UnixFileMode ReadableByAll = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private static void Chmod(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    private static bool UserExists(string name) =>
        File.Exists("/etc/passwd") && File.ReadLines("/etc/passwd").Any(l => l.StartsWith(name + ":", StringComparison.Ordinal));

    private sealed class PortInUseException(string message) : Exception(message);
}
