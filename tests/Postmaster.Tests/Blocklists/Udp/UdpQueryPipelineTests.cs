using System.Collections.Concurrent;
using System.Net;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Blocklists.Udp;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Blocklists.Udp;

public class UdpQueryPipelineTests
{
    private static readonly Func<string, DnsType, CancellationToken, Task<BlocklistAnswer>> NoTcp =
        (name, _, _) => throw new InvalidOperationException($"unexpected TCP fallback for {name}");

    [Fact]
    public async Task Thousands_of_queries_in_flight_get_exactly_the_answers_the_zone_holds()
    {
        // 198.18.0.0/20: every 7th address listed 127.0.0.2, every 11th also 127.0.0.4 (two A records).
        var addresses = Enumerable.Range(0, 4096).Select(i => new IPAddress([198, 18, (byte)(i >> 8), (byte)i])).ToList();
        var data = string.Join('\n', addresses.Select((a, i) => (a, i)).Where(x => x.i % 7 == 0).Select(x => $"{x.a} :127.0.0.2:listed"))
            + "\n" + string.Join('\n', addresses.Select((a, i) => (a, i)).Where(x => x.i % 11 == 0).Select(x => $"{x.a} :127.0.0.4:also"));
        await using var rbldnsd = await RbldnsdServer.StartAsync([new RbldnsdZone("bl.test", RbldnsdZoneType.Ip4Set, data)], TestContext.Current.CancellationToken);
        var answers = new ConcurrentDictionary<int, BlocklistAnswer>();
        var calls = 0;

        using var pipeline = new UdpQueryPipeline<int>(Options(rbldnsd.EndPoint, window: 100), NoTcp);
        await pipeline.RunAsync(
            addresses.Select((a, i) => new PipelineQuery<int>(DnsblQueryName.For(a, "bl.test"), null, i)),
            (i, answer) => { Interlocked.Increment(ref calls); answers[i] = answer; },
            TestContext.Current.CancellationToken);

        Assert.Equal(4096, calls);
        for (var i = 0; i < 4096; i++)
        {
            var expected = new List<string>();
            if (i % 7 == 0)
            {
                expected.Add("127.0.0.2");
            }

            if (i % 11 == 0)
            {
                expected.Add("127.0.0.4");
            }

            Assert.Equal(expected.Count == 0 ? LookupStatus.NotFound : LookupStatus.Answered, answers[i].Status);
            Assert.Equal(expected.Order(), answers[i].Addresses.Select(a => a.ToString()).Order());
        }
    }

    [Fact]
    public async Task Txt_queries_bring_back_every_string_of_the_reason_beside_a_queries()
    {
        var data = "198.18.0.7 :127.0.0.2:Listed for spam, see https://bl.test/lookup?ip=$\n198.18.0.8 :127.0.0.2:";
        await using var rbldnsd = await RbldnsdServer.StartAsync([new RbldnsdZone("bl.test", RbldnsdZoneType.Ip4Set, data)], TestContext.Current.CancellationToken);
        var answers = new ConcurrentDictionary<int, BlocklistAnswer>();

        using var pipeline = new UdpQueryPipeline<int>(Options(rbldnsd.EndPoint, window: 8), NoTcp);
        await pipeline.RunAsync(
            [
                new PipelineQuery<int>("7.0.18.198.bl.test.", null, 0, DnsType.Txt),
                new PipelineQuery<int>("7.0.18.198.bl.test.", null, 1),
                new PipelineQuery<int>("8.0.18.198.bl.test.", null, 2, DnsType.Txt), // listed without a text
                new PipelineQuery<int>("9.0.18.198.bl.test.", null, 3, DnsType.Txt), // not listed
            ],
            (i, answer) => answers[i] = answer,
            TestContext.Current.CancellationToken);

        Assert.Equal("Listed for spam, see https://bl.test/lookup?ip=198.18.0.7", DnsblResolver.Reason(answers[0]));
        Assert.Empty(answers[0].Addresses);
        Assert.Equal(["127.0.0.2"], answers[1].Addresses.Select(a => a.ToString()));
        Assert.Null(answers[1].Texts);
        Assert.Null(DnsblResolver.Reason(answers[2]));
        Assert.Equal(LookupStatus.NotFound, answers[3].Status);
    }

    [Fact]
    public async Task A_rate_limited_list_is_paced_while_the_answers_keep_coming()
    {
        // When each question first arrived (a slow answer on a busy machine may be asked twice).
        var arrivals = new ConcurrentDictionary<string, long>();
        using var responder = new UdpResponder(query =>
        {
            arrivals.TryAdd(Convert.ToHexString(query, 12, query.Length - 12), System.Diagnostics.Stopwatch.GetTimestamp());
            return DnsWireTests.Response(query, query.Length, rcode: 3);
        });
        // 5 at once, then 20 a second: the 30th query cannot leave before (30 - 5) / 20 = 1.25 s.
        using var limiter = new System.Threading.RateLimiting.TokenBucketRateLimiter(new()
        {
            TokenLimit = 5,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(50),
            QueueLimit = 1000,
            AutoReplenishment = true,
        });
        var answered = 0;

        using var pipeline = new UdpQueryPipeline<int>(Options(responder.EndPoint, window: 16), NoTcp);
        await pipeline.RunAsync(
            Enumerable.Range(0, 30).Select(i => new PipelineQuery<int>($"{i}.0.18.198.bl.test.", limiter, i)),
            (_, answer) =>
            {
                Assert.Equal(LookupStatus.NotFound, answer.Status);
                Interlocked.Increment(ref answered);
            },
            TestContext.Current.CancellationToken);

        Assert.Equal(30, answered);
        var times = arrivals.Values.Order().ToArray();
        Assert.Equal(30, times.Length);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(times[0], times[^1]) >= TimeSpan.FromSeconds(1.2), "the list's rate limit was not applied");
    }

    [Fact]
    public async Task A_resolver_that_never_answers_gives_timeouts_once_per_query_after_the_retries()
    {
        using var silent = UdpResponder.Silent();
        var answers = new ConcurrentBag<(int Query, BlocklistAnswer Answer)>();

        using var pipeline = new UdpQueryPipeline<int>(Options(silent.EndPoint, window: 4, timeoutMs: 150, retries: 2), NoTcp);
        await pipeline.RunAsync(Names(10), (i, a) => answers.Add((i, a)), TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 10), answers.Select(a => a.Query).Order());
        Assert.All(answers, a => Assert.Equal(LookupStatus.Timeout, a.Answer.Status));
        Assert.Equal(30, silent.Received); // first try and two retries each
    }

    [Fact]
    public async Task A_retry_goes_to_the_next_resolver()
    {
        using var silent = UdpResponder.Silent();
        await using var rbldnsd = await RbldnsdServer.StartAsync([new RbldnsdZone("bl.test", RbldnsdZoneType.Ip4Set, "127.0.0.2\n")], TestContext.Current.CancellationToken);
        var answers = new ConcurrentBag<BlocklistAnswer>();
        var options = Options(silent.EndPoint, window: 8, timeoutMs: 150, retries: 1) with { Servers = [silent.EndPoint, rbldnsd.EndPoint] };

        using var pipeline = new UdpQueryPipeline<int>(options, NoTcp);
        await pipeline.RunAsync(
            [new PipelineQuery<int>("2.0.0.127.bl.test.", null, 0), new PipelineQuery<int>("1.0.0.127.bl.test.", null, 1)],
            (_, a) => answers.Add(a),
            TestContext.Current.CancellationToken);

        Assert.Equal([LookupStatus.Answered, LookupStatus.NotFound], answers.Select(a => a.Status).Order());
    }

    [Fact]
    public async Task A_forged_answer_to_another_question_is_ignored_not_taken_as_a_listing()
    {
        // Answers every query as if it had asked about 127.0.0.2: listed.
        using var forger = new UdpResponder(query =>
        {
            var packet = new byte[DnsWire.MaxQueryLength];
            var length = DnsWire.WriteQuery(packet, DnsWire.IdOf(query), "2.0.0.127.bl.test.");
            return DnsWireTests.Response(packet, length, rcode: 0, [127, 0, 0, 2]);
        });
        var answers = new ConcurrentBag<BlocklistAnswer>();

        using var pipeline = new UdpQueryPipeline<int>(Options(forger.EndPoint, window: 2, timeoutMs: 100, retries: 0), NoTcp);
        await pipeline.RunAsync([new PipelineQuery<int>("3.0.0.127.bl.test.", null, 0)], (_, a) => answers.Add(a), TestContext.Current.CancellationToken);

        Assert.Equal(LookupStatus.Timeout, Assert.Single(answers).Status);
    }

    [Fact]
    public async Task A_truncated_answer_is_asked_again_over_tcp()
    {
        using var truncating = new UdpResponder(query =>
        {
            var answer = DnsWireTests.Response(query, query.Length, rcode: 0);
            answer[2] |= 0x02;
            return answer;
        });
        var asked = new ConcurrentBag<(string Name, DnsType Type)>();
        var answers = new ConcurrentBag<BlocklistAnswer>();

        using var pipeline = new UdpQueryPipeline<int>(Options(truncating.EndPoint, window: 2), (name, type, _) =>
        {
            asked.Add((name, type));
            return Task.FromResult(BlocklistAnswer.Of("127.0.0.2", "127.0.0.3"));
        });
        await pipeline.RunAsync([new PipelineQuery<int>("2.0.0.127.bl.test.", null, 0, DnsType.Txt)], (_, a) => answers.Add(a), TestContext.Current.CancellationToken);

        Assert.Equal(("2.0.0.127.bl.test.", DnsType.Txt), Assert.Single(asked));
        Assert.Equal(2, Assert.Single(answers).Addresses.Count);
    }

    [Fact]
    public async Task An_unsendable_name_is_answered_as_an_error_without_asking()
    {
        using var silent = UdpResponder.Silent();
        var answers = new ConcurrentBag<BlocklistAnswer>();

        using var pipeline = new UdpQueryPipeline<int>(Options(silent.EndPoint, window: 2), NoTcp);
        await pipeline.RunAsync([new PipelineQuery<int>(new string('x', 70) + ".bl.test.", null, 0)], (_, a) => answers.Add(a), TestContext.Current.CancellationToken);

        Assert.Equal(LookupStatus.OtherError, Assert.Single(answers).Status);
        Assert.Equal(0, silent.Received);
    }

    [Fact]
    public async Task A_failing_callback_stops_the_run_with_its_exception()
    {
        await using var rbldnsd = await RbldnsdServer.StartAsync([new RbldnsdZone("bl.test", RbldnsdZoneType.Ip4Set, "127.0.0.2\n")], TestContext.Current.CancellationToken);

        using var pipeline = new UdpQueryPipeline<int>(Options(rbldnsd.EndPoint, window: 8), NoTcp);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            pipeline.RunAsync(Names(1000), (_, _) => throw new InvalidOperationException("disk full"), TestContext.Current.CancellationToken));

        Assert.Equal("disk full", error.Message);
    }

    [Fact]
    public async Task Cancelling_stops_a_run_waiting_on_a_silent_resolver()
    {
        using var silent = UdpResponder.Silent();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        using var pipeline = new UdpQueryPipeline<int>(Options(silent.EndPoint, window: 2, timeoutMs: 30_000), NoTcp);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pipeline.RunAsync(Names(10), (_, _) => { }, cancel.Token));
    }

    [Fact]
    public async Task A_datagram_lost_while_the_resolver_answers_others_is_asked_again_long_before_the_timeout()
    {
        // Answers NXDOMAIN at once, except that the first try of every 10th name is lost.
        var seen = new ConcurrentDictionary<string, int>();
        using var lossy = new UdpResponder(query =>
        {
            var first = System.Text.Encoding.ASCII.GetString(query, DnsWire.HeaderLength + 1, query[DnsWire.HeaderLength]); // "{i}" of {i}.0.18.198.bl.test
            var tries = seen.AddOrUpdate(first, 1, (_, n) => n + 1);
            return tries == 1 && int.Parse(first, System.Globalization.CultureInfo.InvariantCulture) % 10 == 0 ? null : DnsWireTests.Response(query, query.Length, rcode: 3);
        });
        var answers = new ConcurrentBag<BlocklistAnswer>();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(20)); // the configured timeout is 60 s: only an early retry finishes in time

        using var pipeline = new UdpQueryPipeline<int>(Options(lossy.EndPoint, window: 16, timeoutMs: 60_000, retries: 1), NoTcp);
        await pipeline.RunAsync(Names(500), (_, a) => answers.Add(a), limit.Token);

        Assert.Equal(500, answers.Count);
        Assert.All(answers, a => Assert.Equal(LookupStatus.NotFound, a.Status));
        Assert.Equal(550, lossy.Received);
    }

    [Fact]
    public async Task A_failed_run_gives_the_shared_window_back()
    {
        using var silent = UdpResponder.Silent();
        var shared = new QueryWindow(4);
        var calls = 0;
        using var answering = new UdpResponder(query => DnsWireTests.Response(query, query.Length, rcode: 3));

        using (var failing = new UdpQueryPipeline<int>(Options(silent.EndPoint, window: 4, timeoutMs: 30_000) with { SharedWindow = shared }, NoTcp))
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => failing.RunAsync(Names(10), (_, _) => { }, cancel.Token));
        }

        Assert.Equal(4, shared.Free);
        using var next = new UdpQueryPipeline<int>(Options(answering.EndPoint, window: 4) with { SharedWindow = shared }, NoTcp);
        await next.RunAsync(Names(100), (_, _) => Interlocked.Increment(ref calls), TestContext.Current.CancellationToken);
        Assert.Equal(100, calls);
    }

    private static IEnumerable<PipelineQuery<int>> Names(int count) =>
        Enumerable.Range(0, count).Select(i => new PipelineQuery<int>($"{i}.0.18.198.bl.test.", null, i));

    private static UdpPipelineOptions Options(IPEndPoint server, int window, int timeoutMs = 2000, int retries = 1) => new()
    {
        Servers = [server],
        Window = window,
        Timeout = TimeSpan.FromMilliseconds(timeoutMs),
        Retries = retries,
    };
}
