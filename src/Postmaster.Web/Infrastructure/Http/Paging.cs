namespace Postmaster.Web.Infrastructure.Http;

/// <summary>Keyset paging: each list is ordered by a unique key, and a cursor carries the last key shown.</summary>
public static class Paging
{
    public const int DefaultLimit = 100;

    public const int MaxLimit = 1000;

    /// <summary>What a page link carried; a link whose cursor cannot be read starts from the beginning.</summary>
    public static PageRequest<TKey> FromLink<TKey>(string? cursor, int limit = DefaultLimit)
        where TKey : class, IPageKey =>
        new(limit, PageCursor.TryDecode<TKey>(cursor, out var key) ? key : null);

    /// <summary>
    /// The page out of <paramref name="rows"/>, which the query read with <c>Take(limit + 1)</c>:
    /// the extra row is not shown, it only says that there is a next page.
    /// </summary>
    public static Page<T> Cut<T, TKey>(IReadOnlyList<T> rows, int limit, Func<T, TKey> keyOf)
        where TKey : IPageKey
    {
        if (rows.Count <= limit)
        {
            return new Page<T>(rows, null);
        }

        var items = rows.Take(limit).ToList();
        return new Page<T>(items, PageCursor.Encode(keyOf(items[^1])));
    }
}

/// <summary>A page asked for: at most <see cref="Limit"/> rows after <see cref="After"/> (null: from the start).</summary>
public readonly record struct PageRequest<TKey>(int Limit, TKey? After)
    where TKey : class, IPageKey;
