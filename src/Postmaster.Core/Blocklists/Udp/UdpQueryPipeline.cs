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
/// Asks many queries over one UDP socket per resolver, keeping a window of them in flight, the way
/// dnsperf and adns do. A request/response client (DnsClient opens a socket per query) spends most of
/// a large sweep's CPU on sockets. Here one dedicated thread sends a batch, takes every answer that has
/// arrived (non-blocking), sends again, and sleeps in poll(2) only when the window is full and nothing
/// has come back: no locks, and no thread waking another per answer (on a 2-vCPU host a sending and a
/// receiving thread plus the resolver were three threads fighting for two CPUs). Answers are matched
/// by ID and echoed question. Each run binds fresh sockets (new random source ports) with random IDs;
/// a forged answer still cannot change a listing on its own, because every state change is confirmed
/// by a separate run. An instance runs once.
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
    /// <summary>How often queries are checked for timeouts, and the longest the thread sleeps in poll(2).</summary>
    private const int ScanMilliseconds = 10;

    /// <summary>Answers taken in one go before the thread sends again, so a flood of answers cannot starve sending.</summary>
    private const int MaxDrain = 256;

    private readonly UdpPipelineOptions _options;
    private readonly Func<string, DnsType, CancellationToken, Task<BlocklistAnswer>> _overTcp;
    private readonly QueryWindow _window;
    private readonly Slot[] _slots;
    // Slot index + 1 by query ID; 0 = free ID. 128 KiB, so rented rather than put on the large object
    // heap by every chunk of every sweep (which brought on full collections).
    private readonly short[] _slotById = RentCleared();
    private readonly short[] _freeSlots;
    private readonly RoundTripEstimator _rtt;
    private readonly byte[] _random = new byte[512];
    private readonly List<Task> _tcpFallbacks = [];
    private readonly CancellationTokenSource _abort = new();
    private readonly PipelineQuery<TState>[] _batch = new PipelineQuery<TState>[QueryWindow.MaxBatch];
    private int _freeCount;
    private int _randomAt = 512; // empty: filled on first use
    private Socket[] _sockets = [];
    private Action<TState, BlocklistAnswer> _onAnswer = (_, _) => { };
    private int _inFlight;
    private bool _hasPending; // a query taken from the enumerator that its list's rate limit holds back
    private PipelineQuery<TState> _pending;
    private Exception? _failure;
    private bool _disposed;

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
    /// (a timeout after the retries is an answer too), on the pipeline's thread, except for answers
    /// fetched again over TCP, which may come from other threads.
    /// </summary>
    public async Task RunAsync(IEnumerable<PipelineQuery<TState>> queries, Action<TState, BlocklistAnswer> onAnswer, CancellationToken ct)
    {
        if (_sockets.Length > 0)
        {
            throw new InvalidOperationException("A pipeline runs once; create another.");
        }

        _onAnswer = onAnswer;
        _sockets = _options.Servers.Select(Open).ToArray();
        using var stop = ct.Register(() => Fail(new OperationCanceledException(ct)));
        try
        {
            await Task.Factory.StartNew(() => Run(queries), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            await Task.WhenAll(_tcpFallbacks).WaitAsync(ct); // the pipeline's thread, the only one adding to it, is done
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
                socket.Dispose();
            }

            // After a failed or cancelled run, the window gets back the permits of queries that will never be answered.
            _window.Return(_inFlight);
            _inFlight = 0;
        }
    }

    /// <summary>After <see cref="RunAsync"/> has returned (its thread is gone by then).</summary>
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
        socket.Blocking = false;             // answers are taken as they are there; poll(2) waits
        socket.Connect(server);              // the kernel then drops datagrams from anyone else
        return socket;
    }

    /// <summary>The pipeline's thread: answers in, timeouts out, queries out, and a wait when none of that can move.</summary>
    private void Run(IEnumerable<PipelineQuery<TState>> queries)
    {
        var abort = _abort.Token;
        var buffer = new byte[4096];
        var ready = new Slot[QueryWindow.MaxBatch];
        var pollList = new List<Socket>(_sockets.Length);
        using var enumerator = queries.GetEnumerator();
        var more = true;
        var nextScan = Environment.TickCount64 + ScanMilliseconds;
        while (true)
        {
            abort.ThrowIfCancellationRequested();
            var moved = TakeAnswers(buffer);
            if (Environment.TickCount64 >= nextScan)
            {
                ExpireOverdue();
                nextScan = Environment.TickCount64 + ScanMilliseconds;
            }

            if (more || _hasPending)
            {
                moved |= SendSome(enumerator, ref more, ready, abort);
            }

            if (!more && !_hasPending && _inFlight == 0)
            {
                return;
            }

            if (!moved)
            {
                WaitForAnswers(pollList);
            }
        }
    }

    /// <summary>Takes every answer already there (up to <see cref="MaxDrain"/>), without blocking.</summary>
    private bool TakeAnswers(byte[] buffer)
    {
        var taken = 0;
        foreach (var socket in _sockets)
        {
            while (taken < MaxDrain)
            {
                var length = socket.Receive(buffer, SocketFlags.None, out var error);
                if (error is SocketError.ConnectionRefused or SocketError.ConnectionReset)
                {
                    continue; // ICMP "port unreachable" from an earlier datagram: the query times out and is retried
                }

                if (error != SocketError.Success)
                {
                    break; // WouldBlock: nothing more for now
                }

                taken++;
                if (length >= DnsWire.HeaderLength)
                {
                    Match(buffer, length);
                }
            }
        }

        return taken > 0;
    }

    /// <summary>Sleeps until an answer arrives or it is time to look for timeouts.</summary>
    private void WaitForAnswers(List<Socket> pollList)
    {
        if (_inFlight == 0)
        {
            return; // nothing to wait for here: the next round blocks on the window or the rate limit
        }

        if (_sockets.Length == 1)
        {
            _sockets[0].Poll(ScanMilliseconds * 1000, SelectMode.SelectRead);
            return;
        }

        pollList.Clear();
        pollList.AddRange(_sockets);
        Socket.Select(pollList, null, null, ScanMilliseconds * 1000);
    }

    /// <summary>Takes window permits (waiting for them only when nothing of ours is in flight), paces each list, sends a batch.</summary>
    private bool SendSome(IEnumerator<PipelineQuery<TState>> enumerator, ref bool more, Slot[] ready, CancellationToken abort)
    {
        var wanted = Math.Min(QueryWindow.MaxBatch, _freeCount);
        if (wanted == 0)
        {
            return false;
        }

        var idle = _inFlight == 0;
        var permits = idle ? _window.Take(wanted, abort) : _window.TryTake(wanted);
        if (permits == 0)
        {
            return false;
        }

        var count = 0;
        try
        {
            while (count < permits)
            {
                if (!_hasPending)
                {
                    if (!more || !(more = enumerator.MoveNext()))
                    {
                        break;
                    }

                    (_pending, _hasPending) = (enumerator.Current, true);
                }

                // A rate-limited list waits here only when nothing else can move; otherwise the
                // query stays pending while answers are taken, and is tried again next round.
                if (!Pace(_pending.Limiter, block: idle && count == 0, abort))
                {
                    break;
                }

                _batch[count++] = _pending;
                (_pending, _hasPending) = (default, false);
            }
        }
        finally
        {
            _window.Return(permits - count);
        }

        SendBatch(count, ready);
        Array.Clear(_batch, 0, count); // let the states go
        return count > 0;
    }

    private static bool Pace(RateLimiter? limiter, bool block, CancellationToken abort)
    {
        if (limiter is null)
        {
            return true;
        }

        using (var lease = limiter.AttemptAcquire(1))
        {
            if (lease.IsAcquired)
            {
                return true;
            }
        }

        if (!block)
        {
            return false;
        }

        using var waited = limiter.AcquireAsync(1, abort).AsTask().GetAwaiter().GetResult();
        return waited.IsAcquired;
    }

    /// <summary>Fills free slots with the batch's packets and sends them.</summary>
    private void SendBatch(int count, Slot[] ready)
    {
        var readyCount = 0;
        var now = Environment.TickCount64;
        var sentAt = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            ref readonly var query = ref _batch[i];
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
                Free(slot);
                Deliver(query.State, new BlocklistAnswer(LookupStatus.OtherError, [], $"'{query.Name}' is not a valid DNS name."));
            }
            else
            {
                ready[readyCount++] = slot;
            }
        }

        for (var i = 0; i < readyCount; i++)
        {
            Transmit(ready[i].Query.AsSpan(0, ready[i].Length), _sockets[0]);
        }
    }

    /// <summary>A random ID not in use, from a buffer refilled by the system's CSPRNG (one call per 256 IDs).</summary>
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
    /// The number of tries stays 1 + Retries either way.
    /// </summary>
    private long WaitAfter(int attempt) => attempt < _options.Retries
        ? (long)Math.Min(_rtt.RetryDelay.TotalMilliseconds * (1 << Math.Min(attempt, 10)), _options.Timeout.TotalMilliseconds)
        : (long)_options.Timeout.TotalMilliseconds;

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
    }

    private void Match(byte[] buffer, int length)
    {
        var index = _slotById[DnsWire.IdOf(buffer)];
        if (index == 0)
        {
            return; // late answer to a query already done, or a stray datagram
        }

        var slot = _slots[index - 1];
        var reply = DnsWire.ReadReply(buffer, length, slot.Query.AsSpan(0, slot.Length));
        if (reply is null)
        {
            return;
        }

        if (slot.Attempt == 0)
        {
            _rtt.Add(Stopwatch.GetElapsedTime(slot.SentAt)); // a retried query's answer is ambiguous (Karn)
        }

        var state = slot.State;
        if (reply.Truncated)
        {
            var (name, type) = (slot.Name, slot.Type);
            _tcpFallbacks.Add(Task.Run(async () => Deliver(state, await _overTcp(name, type, CancellationToken.None))));
        }

        Free(slot);
        if (!reply.Truncated)
        {
            Deliver(state, reply.ToAnswer());
        }
    }

    private void ExpireOverdue()
    {
        var now = Environment.TickCount64;
        foreach (var slot in _slots)
        {
            // Judged against the latest estimate, so queries sent before the first answer benefit too.
            if (slot.Length == 0 || now < slot.LastTry + WaitAfter(slot.Attempt))
            {
                continue;
            }

            if (slot.Attempt < _options.Retries)
            {
                // Same ID and question, so a late answer to the first try still counts.
                slot.Attempt++;
                slot.LastTry = now;
                Transmit(slot.Query.AsSpan(0, slot.Length), _sockets[slot.Attempt % _sockets.Length]);
            }
            else
            {
                var state = slot.State;
                Free(slot);
                Deliver(state, new BlocklistAnswer(LookupStatus.Timeout, []));
            }
        }
    }

    /// <summary>Gives the slot, its ID and its window permit back.</summary>
    private void Free(Slot slot)
    {
        _slotById[slot.Id] = 0;
        slot.Length = 0;
        slot.State = default!;
        _freeSlots[_freeCount++] = slot.Index;
        _inFlight--;
        _window.Return(1);
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

    private void Fail(Exception e)
    {
        Interlocked.CompareExchange(ref _failure, e, null);
        try
        {
            _abort.Cancel(); // stops the pipeline's thread at its next round, or in a wait for the window or a rate limit
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
