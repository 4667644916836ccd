using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.RateLimiting;

namespace Postmaster.Core.Blocklists.Udp;

/// <summary>One name to ask about, the rate limiter that paces its list, and what the caller wants back with the answer.</summary>
public readonly record struct PipelineQuery<TState>(string Name, RateLimiter? Limiter, TState State);

public sealed record UdpPipelineOptions
{
    /// <summary>Resolvers; a retry goes to the next one.</summary>
    public required IReadOnlyList<IPEndPoint> Servers { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    public int Retries { get; init; } = 1;

    /// <summary>Queries in flight at once (dnsperf's -q).</summary>
    public int Window { get; init; } = 64;

    /// <summary>
    /// Permits shared with other pipelines of the process, so several sweep chunks together keep at
    /// most that many queries in flight (a resolver's socket buffer does not care which chunk asked).
    /// </summary>
    public SemaphoreSlim? SharedWindow { get; init; }

    /// <summary>The earliest a try is repeated while the resolver answers other queries quickly.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// Asks many A queries over one UDP socket per resolver, keeping up to <see cref="UdpPipelineOptions.Window"/>
/// in flight, the way dnsperf and adns do. A request/response client (DnsClient opens a socket per
/// query) spends most of a large sweep's CPU on sockets; here one thread sends and one per socket
/// receives, and answers are matched by ID and echoed question. Each run binds fresh sockets (new
/// random source ports) with random IDs; a forged answer still cannot change a listing on its own,
/// because every state change is confirmed by a separate query through DnsClient.
/// An instance runs once.
/// </summary>
public sealed class UdpQueryPipeline<TState> : IDisposable
{
    private readonly UdpPipelineOptions _options;
    private readonly Func<string, CancellationToken, Task<BlocklistAnswer>> _overTcp;
    private readonly Slot[] _slots;
    private readonly short[] _slotById = new short[65536]; // slot index + 1; 0 = free ID
    private readonly Stack<short> _free;
    private readonly SemaphoreSlim _room;
    private readonly bool _ownsRoom;
    private readonly RoundTripEstimator _rtt;
    private readonly Lock _gate = new();
    private readonly List<Task> _tcpFallbacks = [];
    private Socket[] _sockets = [];
    private Action<TState, BlocklistAnswer> _onAnswer = (_, _) => { };
    private int _inFlight;
    private bool _sending;
    private Exception? _failure;
    private TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Slot(short index)
    {
        public readonly short Index = index;
        public readonly byte[] Query = new byte[DnsWire.MaxQueryLength];
        public int Length;
        public ushort Id;
        public int Attempt;
        public long LastTry;   // Environment.TickCount64 of the latest try
        public long SentAt;
        public string Name = "";
        public TState State = default!;
    }

    /// <param name="overTcp">Asks again over TCP when an answer comes back truncated.</param>
    public UdpQueryPipeline(UdpPipelineOptions options, Func<string, CancellationToken, Task<BlocklistAnswer>> overTcp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Window, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Window, 4096);
        if (options.Servers.Count == 0)
        {
            throw new ArgumentException("At least one DNS server is needed.", nameof(options));
        }

        _options = options;
        _overTcp = overTcp;
        _slots = Enumerable.Range(0, options.Window).Select(i => new Slot((short)i)).ToArray();
        _free = new Stack<short>(Enumerable.Range(0, options.Window).Select(i => (short)i).Reverse());
        _ownsRoom = options.SharedWindow is null;
        _room = options.SharedWindow ?? new SemaphoreSlim(options.Window, options.Window);
        _rtt = new RoundTripEstimator(options.MinRetryDelay, options.Timeout);
    }

    /// <summary>
    /// Sends every query and calls <paramref name="onAnswer"/> once per query with its answer
    /// (a timeout after the retries is an answer too). Calls may come from several threads at once.
    /// </summary>
    public async Task RunAsync(IEnumerable<PipelineQuery<TState>> queries, Action<TState, BlocklistAnswer> onAnswer, CancellationToken ct)
    {
        if (_sockets.Length > 0)
        {
            throw new InvalidOperationException("A pipeline runs once; create another.");
        }

        _onAnswer = onAnswer;
        _sockets = _options.Servers.Select(Open).ToArray();
        _sending = true;
        var receivers = _sockets.Select(s => Task.Factory.StartNew(() => Receive(s), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        using var stop = ct.Register(() => Fail(new OperationCanceledException(ct)));
        try
        {
            foreach (var query in queries)
            {
                if (query.Limiter is { } limiter)
                {
                    using var lease = await limiter.AcquireAsync(1, ct);
                }

                await _room.WaitAsync(ct);
                Send(query);
                ThrowIfFailed();
            }

            lock (_gate)
            {
                _sending = false;
                if (_inFlight == 0)
                {
                    _drained.TrySetResult();
                }
            }

            await _drained.Task.WaitAsync(ct);
            Task[] fallbacks;
            lock (_gate)
            {
                fallbacks = [.. _tcpFallbacks];
            }

            await Task.WhenAll(fallbacks).WaitAsync(ct);
            ThrowIfFailed();
        }
        catch (Exception e)
        {
            Fail(e);
            throw;
        }
        finally
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose(); // ends the receivers
            }

            await Task.WhenAll(receivers);
            ReturnPermits();
        }
    }

    /// <summary>After a failed or cancelled run, the shared window gets back the permits of queries that will never be answered.</summary>
    private void ReturnPermits()
    {
        int stranded;
        lock (_gate)
        {
            stranded = _inFlight;
            _inFlight = 0;
        }

        if (stranded > 0)
        {
            _room.Release(stranded);
        }
    }

    public void Dispose()
    {
        if (_ownsRoom)
        {
            _room.Dispose();
        }
    }

    private static Socket Open(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 1 << 20; // a burst of answers must not overflow the kernel's buffer
        socket.ReceiveTimeout = 20;          // wake up to look for queries that timed out
        socket.Connect(server);              // the kernel then drops datagrams from anyone else
        return socket;
    }

    private void Send(PipelineQuery<TState> query)
    {
        Slot slot;
        lock (_gate)
        {
            slot = _slots[_free.Pop()];
            slot.Id = NewId(slot);
            slot.Length = DnsWire.WriteQuery(slot.Query, slot.Id, query.Name);
            slot.Name = query.Name;
            slot.State = query.State;
            slot.Attempt = 0;
            slot.SentAt = Stopwatch.GetTimestamp();
            slot.LastTry = Environment.TickCount64;
            _inFlight++;
        }

        if (slot.Length == 0)
        {
            Complete(slot, new BlocklistAnswer(LookupStatus.OtherError, [], $"'{query.Name}' is not a valid DNS name."));
            return;
        }

        Transmit(slot.Query.AsSpan(0, slot.Length), _sockets[0]);
    }

    private ushort NewId(Slot slot)
    {
        while (true)
        {
            var id = (ushort)RandomNumberGenerator.GetInt32(65536);
            if (_slotById[id] == 0)
            {
                _slotById[id] = (short)(slot.Index + 1);
                return id;
            }
        }
    }

    /// <summary>
    /// How long to wait after try <paramref name="attempt"/> (0 = the first). Before the last try,
    /// only as long as the resolver's recent answers say an answer is overdue (so one datagram lost
    /// in a burst costs a fraction of a second, not the whole timeout); after it, the full timeout.
    /// The number of tries stays 1 + Retries either way. Called under the lock.
    /// </summary>
    private long WaitAfter(int attempt) => attempt < _options.Retries
        ? (long)Math.Min(_rtt.RetryDelay.TotalMilliseconds * (1 << Math.Min(attempt, 10)), _options.Timeout.TotalMilliseconds)
        : (long)_options.Timeout.TotalMilliseconds;

    private bool Waiting(Slot slot) => slot.Length > 0 && _slotById[slot.Id] == slot.Index + 1;

    private static void Transmit(ReadOnlySpan<byte> query, Socket socket)
    {
        try
        {
            socket.Send(query);
        }
        catch (SocketException)
        {
            // ICMP "port unreachable" from an earlier datagram, or a full send buffer: the query times out and is retried.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Receive(Socket socket)
    {
        var buffer = new byte[4096];
        var nextScan = Environment.TickCount64 + 10;
        while (true)
        {
            int length;
            try
            {
                length = socket.Receive(buffer);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock or SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                length = 0;
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return;
            }

            if (length >= DnsWire.HeaderLength)
            {
                Match(buffer, length);
            }

            if (Environment.TickCount64 >= nextScan)
            {
                ExpireOverdue();
                nextScan = Environment.TickCount64 + 10;
            }
        }
    }

    private void Match(byte[] buffer, int length)
    {
        Slot slot;
        DnsReply? reply;
        lock (_gate)
        {
            var index = _slotById[DnsWire.IdOf(buffer)];
            if (index == 0)
            {
                return; // late answer to a query already done, or a stray datagram
            }

            slot = _slots[index - 1];
            reply = DnsWire.ReadReply(buffer, length, slot.Query.AsSpan(0, slot.Length));
            if (reply is null)
            {
                return;
            }

            _slotById[slot.Id] = 0;
            if (slot.Attempt == 0)
            {
                _rtt.Add(Stopwatch.GetElapsedTime(slot.SentAt));
            }
        }

        if (reply.Truncated)
        {
            AskOverTcp(slot);
            return;
        }

        Complete(slot, reply.ToAnswer(), idReleased: true);
    }

    private void AskOverTcp(Slot slot)
    {
        var (name, state) = (slot.Name, slot.State);
        var task = Task.Run(async () =>
        {
            var answer = await _overTcp(name, CancellationToken.None);
            Deliver(state, answer);
        });
        lock (_gate)
        {
            _tcpFallbacks.Add(task);
        }

        Release(slot);
    }

    private void ExpireOverdue()
    {
        var now = Environment.TickCount64;
        List<(byte[] Query, int Attempt)>? again = null;
        List<Slot>? expired = null;
        lock (_gate)
        {
            foreach (var slot in _slots)
            {
                // Judged against the latest estimate, so queries sent before the first answer benefit too.
                if (!Waiting(slot) || now < slot.LastTry + WaitAfter(slot.Attempt))
                {
                    continue;
                }

                if (slot.Attempt < _options.Retries)
                {
                    slot.Attempt++;
                    slot.LastTry = now;
                    (again ??= []).Add((slot.Query.AsSpan(0, slot.Length).ToArray(), slot.Attempt)); // the slot may be reused before it is sent
                }
                else
                {
                    _slotById[slot.Id] = 0;
                    (expired ??= []).Add(slot);
                }
            }
        }

        foreach (var (query, attempt) in again ?? [])
        {
            // Same ID and question, so a late answer to the first try still counts.
            Transmit(query, _sockets[attempt % _sockets.Length]);
        }

        foreach (var slot in expired ?? [])
        {
            Complete(slot, new BlocklistAnswer(LookupStatus.Timeout, []), idReleased: true);
        }
    }

    private void Complete(Slot slot, BlocklistAnswer answer, bool idReleased = false)
    {
        if (!idReleased)
        {
            lock (_gate)
            {
                _slotById[slot.Id] = 0;
            }
        }

        var state = slot.State;
        Release(slot);
        Deliver(state, answer);
    }

    private void Deliver(TState state, BlocklistAnswer answer)
    {
        try
        {
            _onAnswer(state, answer);
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void Release(Slot slot)
    {
        lock (_gate)
        {
            slot.Length = 0;
            slot.State = default!;
            _free.Push(slot.Index);
            _inFlight--;
            if (_inFlight == 0 && !_sending)
            {
                _drained.TrySetResult();
            }
        }

        _room.Release();
    }

    private void Fail(Exception e)
    {
        lock (_gate)
        {
            _failure ??= e;
        }

        _drained.TrySetException(e);
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }
}
