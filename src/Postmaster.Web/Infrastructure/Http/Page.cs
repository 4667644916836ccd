namespace Postmaster.Web.Infrastructure.Http;

/// <summary>
/// One page of a list the API or a page shows: the items, and the cursor of the next page
/// (null on the last). PRODUCT.md: no list is ever cut short silently.
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next)
{
    public Page<TOut> Select<TOut>(Func<T, TOut> map) => new(Items.Select(map).ToList(), Next);
}
