using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Threading.RateLimiting;

namespace Postmaster.Core.Blocklists.Udp;

/// <summary>One name to ask about (an A query unless <paramref name="Type"/> says TXT), the rate limiter that paces its list, and what the caller wants back with the answer.</summary>
public readonly record struct PipelineQuery<TState>(string Name, RateLimiter? Limiter, TState State, DnsType Type = DnsType.A);

public sealed record UdpPipelineOptions
{
    /// <summary>Resolvers; a retry goes to the next one.</summary>
    public required IReadOnlyList<IPEndPoint> Servers { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    public int Retries { get; init; } = 1;

    /// <summary>Queries in flight at once (dnsperf's -q), when no <see cref="SharedWindow"/> is given.</summary>
    public int Window { get; init; } = 64;

    /// <summary>
    /// Permits shared with other pipelines of the process, so several sweep chunks together keep at
    /// most that many queries in flight (a resolver's socket buffer does not care which chunk asked).
    /// </summary>
    public QueryWindow? SharedWindow { get; init; }

    /// <summary>The earliest a try is repeated while the resolver answers other queries quickly.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);
}

/// <summary>
/// Asks many A queries over one UDP socket per resolver, keeping a window of them in flight, the way
/// dnsperf and adns do. A request/response client (DnsClient opens a socket per query) spends most of
/// a large sweep's CPU on sockets; here one dedicated thread sends and one per socket receives, and
/// answers are matched by ID and echoed question. Each run binds fresh sockets (new random source
/// ports) with random IDs; a forged answer still cannot change a listing on its own, because every
/// state change is confirmed by a separate query through DnsClient. An instance runs once.
/// <para>
/// The per-query path uses arrays, not framework collections over this type's structs: the app ships
/// ReadyToRun, and a framework generic instantiated over our value types (a <c>List</c> of
/// <see cref="PipelineQuery{TState}"/>, say) is not in any precompiled image, so it would run as
/// unoptimised tier-0 code through most of the first sweep of a process. Give TState a reference type
/// for the same reason: the shared code for reference types is precompiled.
/// </para>
/// </summary>
public sealed class UdpQueryPipeline<TState> : IDisposable
{
    private readonly UdpPipelineOptions _options;
    private readonly Func<string, DnsType, CancellationToken, Task<BlocklistAnswer>> _overTcp;
    private readonly QueryWindow _window;
    private readonly Slot[] _slots;
    // Slot index + 1 by query ID; 0 = free ID. 128 KiB, so rented rather than put on the large object
    // heap by every chunk of every sweep (which brought on full collections).
    private readonly short[] _slotById = RentCleared();
    private readonly short[] _freeSlots;
    private int _freeCount;
    private readonly Lock _gate = new();
    private readonly RoundTripEstimator _rtt;
    private readonly byte[] _random = new byte[512];
    private readonly List<Task> _tcpFallbacks = [];
    private readonly CancellationTokenSource _abort = new();
    private int _randomAt = 512; // empty: filled on first use
    private Socket[] _sockets = [];
    private Action<TState, BlocklistAnswer> _onAnswer = (_, _) => { };
    private int _inFlight;
    private bool _sending;
    private Exception? _failure;
    private bool _disposed;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Slot(short index)
    {
        public readonly short Index = index;
        public readonly byte[] Query = new byte[DnsWire.MaxQueryLength];
        public int Length;
        public ushort Id;
        public int Attempt;
        public long LastTry; // Environment.TickCount64 of the latest try
        public long SentAt;  // Stopwatch timestamp of the first try
        public string Name = "";
        public DnsType Type;
        public TState State = default!;
    }

    /// <param name="overTcp">Asks again over TCP when an answer comes back truncated.</param>
    public UdpQueryPipeline(UdpPipelineOptions options, Func<string, DnsType, CancellationToken, Task<BlocklistAnswer>> overTcp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Window, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Window, 4096);
        if (options.Servers.Count == 0)
        {
            throw new ArgumentException("At least one DNS server is needed.", nameof(options));
        }

        _options = options;
        _overTcp = overTcp;
        _window = options.SharedWindow ?? new QueryWindow(options.Window);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_window.Size, 4096);

        // As many slots as the window has permits: this run can never hold more queries than that.
        _slots = new Slot[_window.Size];
        _freeSlots = new short[_window.Size];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot((short)i);
            _freeSlots[_freeCount++] = (short)(_slots.Length - 1 - i);
        }
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
            await Task.Factory.StartNew(() => SendAll(queries), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            lock (_gate)
            {
                _sending = false;
                if (_inFlight == 0)
                {
                    _drained.TrySetResult();
                }
            }

            await _drained.Task;
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
            ThrowIfFailed(); // the first failure, not the cancellation it caused
            throw;
        }
        finally
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose(); // ends the receivers
            }

            await Task.WhenAll(receivers);
            ReturnStrandedPermits();
        }
    }

    /// <summary>After <see cref="RunAsync"/> has returned (its threads are gone by then).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _abort.Dispose();
        ArrayPool<short>.Shared.Return(_slotById);
    }

    private static short[] RentCleared()
    {
        var table = ArrayPool<short>.Shared.Rent(65536);
        Array.Clear(table, 0, 65536);
        return table;
    }

    private static Socket Open(IPEndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 1 << 20; // a burst of answers must not overflow the kernel's buffer
        socket.ReceiveTimeout = 20;          // wake up to look for queries that timed out
        socket.Connect(server);              // the kernel then drops datagrams from anyone else
        return socket;
    }

    /// <summary>The sending thread: takes a batch of window permits, paces each list, sends the batch.</summary>
    private void SendAll(IEnumerable<PipelineQuery<TState>> queries)
    {
        var abort = _abort.Token;
        var batch = new PipelineQuery<TState>[QueryWindow.MaxBatch];
        var ready = new Slot[QueryWindow.MaxBatch];
        var lengths = new int[QueryWindow.MaxBatch];
        using var enumerator = queries.GetEnumerator();
        var more = true;
        while (more)
        {
            var permits = _window.Take(QueryWindow.MaxBatch, abort);
            var count = 0;
            try
            {
                while (count < permits && (more = enumerator.MoveNext()))
                {
                    var query = enumerator.Current;
                    Pace(query.Limiter, abort);
                    batch[count++] = query;
                }
            }
            catch
            {
                _window.Return(count);
                throw;
            }
            finally
            {
                _window.Return(permits - count);
            }

            SendBatch(batch, count, ready, lengths);
            Array.Clear(batch, 0, count); // let the states go
            ThrowIfFailed();
        }
    }

    private static void Pace(RateLimiter? limiter, CancellationToken abort)
    {
        if (limiter is null)
        {
            return;
        }

        using var lease = limiter.AttemptAcquire(1);
        if (!lease.IsAcquired)
        {
            using var waited = limiter.AcquireAsync(1, abort).AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Takes slots and writes the packets under one lock, then sends them outside it (only this thread reuses slots).</summary>
    private void SendBatch(PipelineQuery<TState>[] batch, int count, Slot[] ready, int[] lengths)
    {
        var readyCount = 0;
        List<PipelineQuery<TState>>? invalid = null;
        lock (_gate)
        {
            var now = Environment.TickCount64;
            var sentAt = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                ref readonly var query = ref batch[i];
                var slot = _slots[_freeSlots[--_freeCount]];
                slot.Id = NewId(slot);
                slot.Length = DnsWire.WriteQuery(slot.Query, slot.Id, query.Name, query.Type);
                slot.Name = query.Name;
                slot.Type = query.Type;
                slot.State = query.State;
                slot.Attempt = 0;
                slot.LastTry = now;
                slot.SentAt = sentAt;
                _inFlight++;
                if (slot.Length == 0)
                {
                    _slotById[slot.Id] = 0;
                    FreeLocked(slot);
                    (invalid ??= []).Add(query);
                }
                else
                {
                    ready[readyCount] = slot;
                    lengths[readyCount++] = slot.Length; // as sent, even if the slot were answered and freed meanwhile
                }
            }
        }

        for (var i = 0; i < readyCount; i++)
        {
            Transmit(ready[i].Query.AsSpan(0, lengths[i]), _sockets[0]);
        }

        if (invalid is not null)
        {
            _window.Return(invalid.Count);
            foreach (var query in invalid)
            {
                Deliver(query.State, new BlocklistAnswer(LookupStatus.OtherError, [], $"'{query.Name}' is not a valid DNS name."));
            }
        }
    }

    /// <summary>A random ID not in use, from a buffer refilled by the system's CSPRNG (one call per 256 IDs). Under the lock.</summary>
    private ushort NewId(Slot slot)
    {
        while (true)
        {
            if (_randomAt + 2 > _random.Length)
            {
                RandomNumberGenerator.Fill(_random);
                _randomAt = 0;
            }

            var id = BinaryPrimitives.ReadUInt16LittleEndian(_random.AsSpan(_randomAt));
            _randomAt += 2;
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
    /// The number of tries stays 1 + Retries either way. Under the lock.
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
        DnsReply? reply;
        TState state;
        lock (_gate)
        {
            var index = _slotById[DnsWire.IdOf(buffer)];
            if (index == 0)
            {
                return; // late answer to a query already done, or a stray datagram
            }

            var slot = _slots[index - 1];
            reply = DnsWire.ReadReply(buffer, length, slot.Query.AsSpan(0, slot.Length));
            if (reply is null)
            {
                return;
            }

            _slotById[slot.Id] = 0;
            if (slot.Attempt == 0)
            {
                _rtt.Add(Stopwatch.GetElapsedTime(slot.SentAt)); // a retried query's answer is ambiguous (Karn)
            }

            state = slot.State;
            if (reply.Truncated)
            {
                var (name, type) = (slot.Name, slot.Type);
                _tcpFallbacks.Add(Task.Run(async () => Deliver(state, await _overTcp(name, type, CancellationToken.None))));
            }

            FreeLocked(slot);
        }

        _window.Return(1);
        if (!reply.Truncated)
        {
            Deliver(state, reply.ToAnswer());
        }
    }

    private void ExpireOverdue()
    {
        var now = Environment.TickCount64;
        List<(byte[] Query, int Attempt)>? again = null;
        List<TState>? expired = null;
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
                    again ??= [];
                    again.Add((slot.Query.AsSpan(0, slot.Length).ToArray(), slot.Attempt)); // the slot may be reused before it is sent
                }
                else
                {
                    _slotById[slot.Id] = 0;
                    (expired ??= []).Add(slot.State);
                    FreeLocked(slot);
                }
            }
        }

        foreach (var (query, attempt) in again ?? [])
        {
            // Same ID and question, so a late answer to the first try still counts.
            Transmit(query, _sockets[attempt % _sockets.Length]);
        }

        if (expired is not null)
        {
            _window.Return(expired.Count);
            foreach (var state in expired)
            {
                Deliver(state, new BlocklistAnswer(LookupStatus.Timeout, []));
            }
        }
    }

    /// <summary>Gives the slot back; its window permit is returned by the caller, outside the lock.</summary>
    private void FreeLocked(Slot slot)
    {
        slot.Length = 0;
        slot.State = default!;
        _freeSlots[_freeCount++] = slot.Index;
        _inFlight--;
        if (_inFlight == 0 && !_sending)
        {
            _drained.TrySetResult();
        }
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

    /// <summary>After a failed or cancelled run, the window gets back the permits of queries that will never be answered.</summary>
    private void ReturnStrandedPermits()
    {
        int stranded;
        lock (_gate)
        {
            stranded = _inFlight;
            _inFlight = 0;
        }

        _window.Return(stranded);
    }

    private void Fail(Exception e)
    {
        lock (_gate)
        {
            _failure ??= e;
        }

        _drained.TrySetException(e);
        try
        {
            _abort.Cancel(); // unblocks the sender
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }
}
