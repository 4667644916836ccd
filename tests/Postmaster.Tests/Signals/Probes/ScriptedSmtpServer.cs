using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Postmaster.Tests.Signals.Probes;

/// <summary>How a scripted server misbehaves instead of greeting.</summary>
public enum Hostility
{
    None,

    /// <summary>"220 " and then characters without end, never a line break.</summary>
    EndlessLine,

    /// <summary>"220-…" continuation lines without end, never a last line.</summary>
    EndlessLines,

    /// <summary>Random bytes.</summary>
    Garbage,
}

/// <summary>
/// What a scripted server answers at each step. A reply is one or more lines separated by "\n"
/// (sent with CRLF); null means the server says nothing and waits until the client gives up.
/// A reply starting with 421 closes the connection after it is sent, as servers do.
/// </summary>
public sealed record SmtpScript
{
    public string? Greeting { get; init; } = "220 mx.probe.test ESMTP ready";

    public string? Ehlo { get; init; } = "250-mx.probe.test Hello\n250-PIPELINING\n250-SIZE 52428800\n250 8BITMIME";

    public string? Mail { get; init; } = "250 2.1.0 Sender OK";

    public string? Rcpt { get; init; } = "250 2.1.5 Recipient OK";

    public string? Quit { get; init; } = "221 2.0.0 Service closing transmission channel";

    public Hostility Hostility { get; init; } = Hostility.None;
}

/// <summary>One connection the scripted server took: who connected, and the commands it sent, verbatim.</summary>
public sealed class SmtpSession(IPEndPoint remote)
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IPEndPoint Remote { get; } = remote;

    public ConcurrentQueue<string> Commands { get; } = new();

    /// <summary>Completes when the server is done with the connection.</summary>
    public Task Ended => _ended.Task;

    internal void End() => _ended.TrySetResult();
}

/// <summary>
/// A small SMTP server on 127.0.0.1 that follows a <see cref="SmtpScript"/>: greets, accepts or
/// rejects at each step, stays silent, or floods. It records what clients send. Everything it does
/// is bounded (connections, commands, bytes written) and ends when it is disposed.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    public const int MaxConnections = 16;
    public const int MaxCommands = 50;
    public const long MaxFloodBytes = 8 * 1024 * 1024;

    private readonly SmtpScript _script;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _handlers = [];
    private readonly Task _accepting;

    private ScriptedSmtpServer(SmtpScript script)
    {
        _script = script;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<SmtpSession> Sessions { get; } = new();

    public static ScriptedSmtpServer Start(SmtpScript script) => new(script);

    /// <summary>The only session, once the server is done with it.</summary>
    public async Task<SmtpSession> SingleSessionAsync()
    {
        var session = Assert.Single(Sessions);
        await session.Ended.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        return session;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }

        await Task.WhenAll(_handlers);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        for (var i = 0; i < MaxConnections; i++)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var session = new SmtpSession((IPEndPoint)client.Client.RemoteEndPoint!);
            Sessions.Enqueue(session);
            _handlers.Add(HandleAsync(client, session));
        }
    }

    private async Task HandleAsync(TcpClient client, SmtpSession session)
    {
        try
        {
            using (client)
            {
                var stream = client.GetStream();
                if (_script.Hostility != Hostility.None)
                {
                    await FloodAsync(stream, _script.Hostility, _stop.Token);
                    return;
                }

                if (!await ReplyAsync(stream, _script.Greeting))
                {
                    return;
                }

                using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
                for (var i = 0; i < MaxCommands; i++)
                {
                    var line = await reader.ReadLineAsync(_stop.Token);
                    if (line is null)
                    {
                        return;
                    }

                    session.Commands.Enqueue(line);
                    var verb = line.Split(' ', ':')[0].ToUpperInvariant();
                    var reply = verb switch
                    {
                        "EHLO" or "HELO" => _script.Ehlo,
                        "MAIL" => _script.Mail,
                        "RCPT" => _script.Rcpt,
                        "QUIT" => _script.Quit,
                        "DATA" => "554 5.5.1 This server takes no DATA: a probe must never send it",
                        "RSET" or "NOOP" => "250 2.0.0 OK",
                        _ => "500 5.5.2 Command unrecognized",
                    };
                    if (!await ReplyAsync(stream, reply) || verb == "QUIT")
                    {
                        return;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away, or the server is stopping.
        }
        finally
        {
            session.End();
        }
    }

    /// <summary>Sends a reply; false when the conversation is over (a silent reply waited for the client to leave, or a 421 closed it).</summary>
    private async Task<bool> ReplyAsync(NetworkStream stream, string? reply)
    {
        if (reply is null)
        {
            var buffer = new byte[512];
            while (await stream.ReadAsync(buffer, _stop.Token) > 0)
            {
                // Silent: ignore everything until the client closes the connection.
            }

            return false;
        }

        var text = string.Concat(reply.Split('\n').Select(l => l + "\r\n"));
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), _stop.Token);
        return !reply.StartsWith("421", StringComparison.Ordinal);
    }

    private static async Task FloodAsync(NetworkStream stream, Hostility hostility, CancellationToken ct)
    {
        var random = new Random(5321);
        var chunk = new byte[8192];
        var line = Encoding.ASCII.GetBytes("220-" + new string('x', 66) + "\r\n");
        if (hostility == Hostility.EndlessLine)
        {
            await stream.WriteAsync("220 "u8.ToArray(), ct);
            Array.Fill(chunk, (byte)'A');
        }
        else if (hostility == Hostility.EndlessLines)
        {
            for (var i = 0; i + line.Length <= chunk.Length; i += line.Length)
            {
                line.CopyTo(chunk, i);
            }

            chunk = chunk[..(chunk.Length / line.Length * line.Length)];
        }

        for (long sent = 0; sent < MaxFloodBytes; sent += chunk.Length)
        {
            if (hostility == Hostility.Garbage)
            {
                random.NextBytes(chunk);
            }

            await stream.WriteAsync(chunk, ct);
        }
    }
}
