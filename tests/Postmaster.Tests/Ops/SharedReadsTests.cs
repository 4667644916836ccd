using System.ComponentModel;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Web.Infrastructure.Caching;

namespace Postmaster.Tests.Ops;

/// <summary>
/// The figures every viewer shares (dashboard, tab counts) are read once for a crowd: 32 viewers
/// arriving together after the figures expired must cost one reading, not 32 (each reading of the
/// tab counts walks every incident), and a viewer who gives up must not break the others' reading.
/// </summary>
public sealed class SharedReadsTests
{
    [ImmutableObject(true)]
    private sealed record Figure(int Value, Marker Scope);

    /// <summary>A scoped service: disposed when the scope that made it ends.</summary>
    private sealed class Marker : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddHybridCache();
        services.AddSingleton<SharedReads>();
        services.AddScoped<Marker>();
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Viewers_arriving_together_share_one_reading_in_a_scope_of_its_own()
    {
        await using var services = Services();
        await using var request = services.CreateAsyncScope();
        var shared = request.ServiceProvider.GetRequiredService<SharedReads>();
        var readings = 0;
        var release = new TaskCompletionSource();

        var viewers = Enumerable.Range(0, 32).Select(_ => shared.GetAsync("figures", TimeSpan.FromMinutes(1), async (scope, ct) =>
        {
            Interlocked.Increment(ref readings);
            await release.Task.WaitAsync(ct);
            return new Figure(42, scope.GetRequiredService<Marker>());
        }, TestContext.Current.CancellationToken).AsTask()).ToList();
        release.SetResult();
        var figures = await Task.WhenAll(viewers);

        Assert.Equal(1, readings);
        Assert.All(figures, f => Assert.Same(figures[0], f)); // the one reading, not a copy per viewer
        Assert.NotSame(request.ServiceProvider.GetRequiredService<Marker>(), figures[0].Scope);
        Assert.True(figures[0].Scope.Disposed, "the reading's scope ends with the reading");
    }

    [Fact]
    public async Task A_viewer_who_leaves_does_not_cancel_the_reading_the_others_wait_for()
    {
        await using var services = Services();
        var shared = services.GetRequiredService<SharedReads>();
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        using var leaving = new CancellationTokenSource();

        async Task<Figure> Read(IServiceProvider scope, CancellationToken ct)
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
            return new Figure(7, scope.GetRequiredService<Marker>());
        }

        var first = shared.GetAsync("figures", TimeSpan.FromMinutes(1), Read, leaving.Token).AsTask();
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);
        var second = shared.GetAsync("figures", TimeSpan.FromMinutes(1), Read, TestContext.Current.CancellationToken).AsTask();
        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        release.SetResult();

        Assert.Equal(7, (await second).Value);
    }

    [Fact]
    public async Task A_reading_that_fails_is_not_kept()
    {
        await using var services = Services();
        var shared = services.GetRequiredService<SharedReads>();
        var attempts = 0;

        Task<Figure> Read(IServiceProvider scope, CancellationToken ct) =>
            ++attempts == 1 ? throw new InvalidOperationException("database down") : Task.FromResult(new Figure(attempts, new Marker()));

        await Assert.ThrowsAsync<InvalidOperationException>(() => shared.GetAsync("figures", TimeSpan.FromMinutes(1), Read, TestContext.Current.CancellationToken).AsTask());
        Assert.Equal(2, (await shared.GetAsync("figures", TimeSpan.FromMinutes(1), Read, TestContext.Current.CancellationToken)).Value);
    }
}
