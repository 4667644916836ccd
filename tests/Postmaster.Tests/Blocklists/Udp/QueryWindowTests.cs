using Postmaster.Core.Blocklists.Udp;

namespace Postmaster.Tests.Blocklists.Udp;

public class QueryWindowTests
{
    [Fact]
    public void A_sender_takes_at_most_what_is_free_and_what_it_wants()
    {
        var window = new QueryWindow(64);

        Assert.Equal(16, window.Take(16, TestContext.Current.CancellationToken));
        Assert.Equal(48, window.Free);
        window.Return(16);
        Assert.Equal(64, window.Free);
    }

    [Fact]
    public void Trying_takes_what_is_free_now_and_never_waits()
    {
        var window = new QueryWindow(8);

        Assert.Equal(5, window.TryTake(5));
        Assert.Equal(3, window.TryTake(16));
        Assert.Equal(0, window.TryTake(1));
        window.Return(2);
        Assert.Equal(2, window.TryTake(4));
        Assert.Equal(0, window.Free);
    }

    [Fact]
    public async Task A_sender_waits_while_the_window_is_full_and_goes_on_when_answers_come_back()
    {
        var window = new QueryWindow(8);
        Assert.Equal(8, window.Take(8, TestContext.Current.CancellationToken));

        var waiting = Task.Factory.StartNew(() => window.Take(4, TestContext.Current.CancellationToken), TaskCreationOptions.LongRunning);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);

        window.Return(1);
        Assert.Equal(1, await waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_waiting_sender_can_be_cancelled()
    {
        var window = new QueryWindow(2);
        window.Take(2, TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var waiting = Task.Factory.StartNew(() => window.Take(1, cancel.Token), TaskCreationOptions.LongRunning);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Permits_are_neither_lost_nor_made_up_under_contention()
    {
        var window = new QueryWindow(32);
        var senders = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var taken = window.Take(1 + (i % 16), TestContext.Current.CancellationToken);
                Assert.InRange(taken, 1, 16);
                window.Return(taken);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(32, window.Free);
    }
}
