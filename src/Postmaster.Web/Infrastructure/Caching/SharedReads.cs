using Microsoft.Extensions.Caching.Hybrid;

namespace Postmaster.Web.Infrastructure.Caching;

/// <summary>
/// Figures that every viewer shares for a few seconds (the dashboard, the incident list's tab
/// counts): read at most once per key at a time, whoever asks. A plain memory cache lets every
/// request that finds the entry expired run the same queries at once (32 viewers: 32 counts over
/// 100,000 incidents every few seconds); HybridCache makes the others wait for the one reading.
/// </summary>
/// <remarks>
/// The reading runs in a scope of its own: it outlives the request that started it when that
/// request is cancelled while others still wait, so it must not use that request's DbContext.
/// Values are shared as they are, never copied: keep them immutable (sealed, marked
/// <see cref="System.ComponentModel.ImmutableObjectAttribute"/>, so HybridCache hands out the
/// same instance instead of serialising a copy per reader).
/// </remarks>
public sealed class SharedReads(HybridCache cache, IServiceScopeFactory scopes)
{
    public ValueTask<T> GetAsync<T>(string key, TimeSpan keep, Func<IServiceProvider, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        var options = new HybridCacheEntryOptions
        {
            Expiration = keep,
            LocalCacheExpiration = keep,
            Flags = HybridCacheEntryFlags.DisableDistributedCache,
        };
        return cache.GetOrCreateAsync(key, (scopes, read), static async (state, token) =>
        {
            await using var scope = state.scopes.CreateAsyncScope();
            return await state.read(scope.ServiceProvider, token);
        }, options, cancellationToken: ct);
    }
}
