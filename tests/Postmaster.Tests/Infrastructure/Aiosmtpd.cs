using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace Postmaster.Tests.Infrastructure;

/// <summary>
/// A real SMTP server on 127.0.0.1 and a free port: Debian's aiosmtpd (package python3-aiosmtpd),
/// run with the system's Python, storing every message it accepts in a Maildir of its own that
/// <see cref="MessagesAsync"/> reads back. Stopped by its own PID.
/// </summary>
public sealed class AiosmtpdServer : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly ServerProcess _process;
    private readonly string _directory;

    private AiosmtpdServer(ServerProcess process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public static string? UnavailableReason =>
        File.Exists(Python) && Directory.GetDirectories("/usr/lib", "python3*").Any(d => File.Exists(Path.Combine(d, "dist-packages", "aiosmtpd", "__init__.py")))
            ? null
            : "aiosmtpd not found for /usr/bin/python3: install the Debian package python3-aiosmtpd (apt-get install python3-aiosmtpd).";

    public string Host { get; } = "127.0.0.1";

    public int Port { get; }

    private string Maildir => Path.Combine(_directory, "maildir");

    public static async Task<AiosmtpdServer> StartAsync(CancellationToken ct)
    {
        Requirement.Require(UnavailableReason);
        var directory = Directory.CreateTempSubdirectory("postmaster-aiosmtpd-").FullName;
        for (var attempt = 1; ; attempt++)
        {
            var port = ProcessRunner.FreeLoopbackPort();

            // -n: never setuid to nobody (it would as root); the Mailbox handler writes each message to the Maildir.
            var process = ServerProcess.Start(Python, ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox", Path.Combine(directory, "maildir")]);
            var server = new AiosmtpdServer(process, directory, port);
            try
            {
                await server.WaitUntilGreetingAsync(ct);
                return server;
            }
            catch (Exception) when (attempt < 3 && process.HasExited)
            {
                await process.StopAsync(entireProcessTree: false); // the port was taken meanwhile: another
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>The messages the server accepted, waiting up to <paramref name="timeout"/> for at least <paramref name="count"/>.</summary>
    public async Task<IReadOnlyList<MimeMessage>> MessagesAsync(int count, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var files = Directory.Exists(Path.Combine(Maildir, "new"))
                ? Directory.GetFiles(Path.Combine(Maildir, "new")).Order(StringComparer.Ordinal).ToList()
                : [];
            if (files.Count >= count || clock.Elapsed > timeout)
            {
                var messages = new List<MimeMessage>();
                foreach (var file in files)
                {
                    messages.Add(await MimeMessage.LoadAsync(file, ct));
                }

                return messages;
            }

            await Task.Delay(50, ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(entireProcessTree: false);
        ServerProcess.DeleteDirectory(_directory);
    }

    private async Task WaitUntilGreetingAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(ct);
                throw new InvalidOperationException($"aiosmtpd exited with code {_process.ExitCode} before greeting on {Host}:{Port}: {_process.Output}");
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"aiosmtpd (pid {_process.Id}) did not greet on {Host}:{Port} within {StartTimeout.TotalSeconds:0} s: {_process.Output}");
            }

            try
            {
                using var client = new TcpClient(AddressFamily.InterNetwork);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await client.ConnectAsync(IPAddress.Loopback, Port, attempt.Token);
                using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
                if ((await reader.ReadLineAsync(attempt.Token))?.StartsWith("220", StringComparison.Ordinal) == true)
                {
                    return;
                }
            }
            catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                // Not listening yet.
            }

            await Task.Delay(50, ct);
        }
    }
}
