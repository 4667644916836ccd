using System.Net;
using System.Net.Sockets;

namespace Postmaster.Tests.Incidents;

/// <summary>
/// A UDP relay on 127.0.0.1 that hands each DNS query to the server it points at now and the answer
/// back. The app keeps one resolver address for its lifetime while a test swaps the rbldnsd behind
/// it, so a story of several sweeps with other answers needs one app, not one per sweep. Pointed at
/// nothing, it stays silent (a timeout).
/// </summary>
public sealed class DnsRelay : IDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(2);

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private IPEndPoint? _upstream;

    public DnsRelay()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(RelayAsync);
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The server queries go to from now on; queries already under way finish where they went.</summary>
    public IPEndPoint? Upstream
    {
        get => Volatile.Read(ref _upstream);
        set => Volatile.Write(ref _upstream, value);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    private async Task RelayAsync()
    {
        var buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (Upstream is { } upstream)
            {
                _ = ForwardAsync(buffer[..received.ReceivedBytes], received.RemoteEndPoint, upstream);
            }
        }
    }

    /// <summary>One socket per query: answers cannot cross, whatever ids the queries carry.</summary>
    private async Task ForwardAsync(byte[] query, EndPoint client, IPEndPoint upstream)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        timeout.CancelAfter(AnswerTimeout);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            await socket.SendToAsync(query, SocketFlags.None, upstream, timeout.Token);
            var answer = new byte[4096];
            var got = await socket.ReceiveFromAsync(answer, SocketFlags.None, upstream, timeout.Token);
            await _socket.SendToAsync(answer.AsMemory(0, got.ReceivedBytes), SocketFlags.None, client, _stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // No answer (the server was swapped out, or the test is over): the app sees a timeout.
        }
    }
}
