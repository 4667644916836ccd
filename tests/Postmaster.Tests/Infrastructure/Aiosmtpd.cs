using System.Net.Sockets;
using MimeKit;

namespace Postmaster.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on 127.0.0.1: Debian's aiosmtpd (package python3-aiosmtpd) with its Maildir
/// handler, so every message it accepted is a file a test can read. It can be stopped and started
/// again on the same port (an outage and its end); only its own PID is ever stopped.
/// </summary>
public sealed class AiosmtpdServer : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("postmaster-smtp-").FullName;
    private ServerProcess? _process;

    private AiosmtpdServer(int port) => Port = port;

    public static string? UnavailableReason => Executable is null
        ? "aiosmtpd not found in /usr/bin or on PATH: install the Debian package python3-aiosmtpd (apt-get install python3-aiosmtpd)."
        : null;

    public string Host { get; } = "127.0.0.1";

    public int Port { get; }

    private static string? Executable => Requirement.FindExecutable("aiosmtpd", "/usr/bin");

    /// <summary>A port and a mailbox, with no server listening yet (an SMTP outage from the start).</summary>
    public static AiosmtpdServer Stopped()
    {
        Requirement.Require(UnavailableReason);
        return new AiosmtpdServer(ProcessRunner.FreeLoopbackPort());
    }

    public static async Task<AiosmtpdServer> StartAsync(CancellationToken ct)
    {
        var server = Stopped();
        await server.StartAgainAsync(ct);
        return server;
    }

    public async Task StartAgainAsync(CancellationToken ct)
    {
        if (_process is not null)
        {
            return;
        }

        _process = ServerProcess.Start(Executable!, ["-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", Path.Combine(_directory, "mail")]);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port, ct);
                using var reader = new StreamReader(client.GetStream());
                if ((await reader.ReadLineAsync(ct))?.StartsWith("220", StringComparison.Ordinal) == true)
                {
                    return;
                }
            }
            catch (SocketException)
            {
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"aiosmtpd did not start on port {Port}: {_process.Output}");
            }

            await Task.Delay(100, ct);
        }
    }

    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            await process.StopAsync(entireProcessTree: false);
        }
    }

    /// <summary>Every message accepted so far, oldest first.</summary>
    public IReadOnlyList<MimeMessage> Messages()
    {
        var folder = Path.Combine(_directory, "mail", "new");
        if (!Directory.Exists(folder))
        {
            return [];
        }

        return [.. Directory.GetFiles(folder).Select(f => (File: f, Message: MimeMessage.Load(f)))
            .OrderBy(m => File.GetLastWriteTimeUtc(m.File)).ThenBy(m => m.File, StringComparer.Ordinal).Select(m => m.Message)];
    }

    /// <summary>The messages whose envelope named <paramref name="recipient"/>.</summary>
    public IReadOnlyList<MimeMessage> MessagesTo(string recipient) =>
        [.. Messages().Where(m => (m.Headers["X-RcptTo"] ?? m.To.ToString()).Contains(recipient, StringComparison.OrdinalIgnoreCase))];

    /// <summary>Waits (bounded) until at least <paramref name="count"/> messages arrived; returns them all.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var messages = Messages();
            if (messages.Count >= count || DateTime.UtcNow > deadline)
            {
                return messages;
            }

            await Task.Delay(100, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        ServerProcess.DeleteDirectory(_directory);
    }
}
