namespace Postmaster.Web.Infrastructure.Http;

/// <summary>
/// What a paged table says below itself: how many rows it shows of how many, and the links to the
/// next and first page. PRODUCT.md: a long list says that it goes on, it is never cut silently.
/// </summary>
public sealed record Pager(string Id, int Shown, long Total, string? NextUrl, string? FirstUrl, string Noun = "rows");
