using System.Net;
using System.Net.Sockets;

namespace Postmaster.Tests.Blocklists.Udp;

/// <summary>
/// A UDP socket on loopback that answers each datagram with what <c>respond</c> returns (null: silence).
/// For the protocol's edge cases a real server will not produce on demand: truncation, forged
/// answers, a resolver that never answers.
/// </summary>
internal sealed class UdpResponder : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Task _loop;
    private int _received;

    public UdpResponder(Func<byte[], byte[]?> respond)
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(async () =>
        {
            var buffer = new byte[4096];
            while (true)
            {
                SocketReceiveFromResult received;
                try
                {
                    received = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0));
                }
                catch (Exception e) when (e is ObjectDisposedException or SocketException)
                {
                    return;
                }

                Interlocked.Increment(ref _received);
                if (respond(buffer[..received.ReceivedBytes]) is { } answer)
                {
                    await _socket.SendToAsync(answer, received.RemoteEndPoint);
                }
            }
        });
    }

    public IPEndPoint EndPoint { get; }

    public int Received => Volatile.Read(ref _received);

    public static UdpResponder Silent() => new(_ => null);

    public void Dispose()
    {
        _socket.Dispose();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
