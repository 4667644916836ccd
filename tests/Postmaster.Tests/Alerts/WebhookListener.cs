using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Postmaster.Tests.Alerts;

/// <summary>One call a webhook receiver got.</summary>
public sealed record WebhookCall(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, int Answered)
{
    public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : "";

    public string Text => System.Text.Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A webhook receiver on 127.0.0.1 and a free port: a bare HTTP/1.1 server on a socket that records
/// every call and answers with the next scripted status (200 once the script is used up).
/// </summary>
public sealed class WebhookListener : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<int> _script;
    private readonly Task _loop;

    public WebhookListener(params int[] statuses)
    {
        _script = new ConcurrentQueue<int>(statuses);
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hooks/postmaster";
        _loop = Task.Run(AcceptAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<WebhookCall> Calls { get; } = new();

    public async Task<IReadOnlyList<WebhookCall>> WaitForAsync(int count, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Calls.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }

        return [.. Calls];
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                while (await ReadRequestAsync(stream) is { } call)
                {
                    var status = _script.TryDequeue(out var next) ? next : 200;
                    Calls.Enqueue(call with { Answered = status });
                    var response = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Scripted")}\r\nContent-Length: 0\r\n\r\n";
                    await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(response), _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task<WebhookCall?> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one, _stop.Token) == 0)
            {
                return null;
            }

            head.Add(one[0]);
        }

        var lines = System.Text.Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var path = lines[0].Split(' ')[1];
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var length = headers.TryGetValue("content-length", out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, _stop.Token);
        return new WebhookCall(path, headers, body, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
