using System.Net;
using System.Runtime.CompilerServices;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Ops;

/// <summary>
/// A stopped app leaves nothing behind: no timer, limiter or handler outlives it holding the app
/// (about 170 MB each). Anything that did would keep every app a test run starts, and did: the
/// sign-in rate limiter's timer and each SQLite pool's pruning timer once held every app until the
/// run ran out of memory.
/// </summary>
public sealed class StoppedAppMemoryTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stopped_app_is_collected(bool kestrel)
    {
        var stopped = await StartUseAndStopAsync(kestrel);

        for (var attempt = 0; attempt < 20 && stopped.IsAlive; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            await Task.Delay(100, Ct); // the host's last callbacks finish on the thread pool
        }

        Assert.False(stopped.IsAlive, "The stopped app is still referenced: something it started outlives it.");
    }

    /// <summary>Not inlined, so no local of the caller holds the app.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> StartUseAndStopAsync(bool kestrel)
    {
        var directory = Directory.CreateTempSubdirectory("postmaster-stopped-").FullName;
        try
        {
            var app = PostmasterApp.Sqlite(directory, kestrel: kestrel);
            using (var api = app.Api())
            using (var browser = app.Api(key: null))
            {
                Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/assets", Ct)).StatusCode);
                using var signIn = new FormUrlEncodedContent([new("Email", "nobody@example.com"), new("Password", "wrong")]);
                await browser.PostAsync("/login", signIn, Ct); // a sign-in attempt: the limiter's partitions and timer
            }

            var weak = new WeakReference(app);
            await app.DisposeAsync();
            return weak;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
