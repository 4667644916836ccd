using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Core.Providers;
using Postmaster.Core.Requests;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Requests;

/// <summary>
/// Every request, newest first, with a status filter and the follow-ups that are due; below, what
/// requests to each provider have come to (sent, accepted, denied, median time to the block ending).
/// </summary>
public sealed class IndexModel(RequestQueries queries, ProviderRegistry providers, TimeProvider time) : PageModel
{
    public const int PageRows = 50;

    /// <summary>A status as the API spells it, <c>due</c> for the follow-ups due, or nothing for every request.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Show { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public IReadOnlyList<ProviderRequest> Requests { get; private set; } = [];

    public Pager Pager { get; private set; } = null!;

    public IReadOnlyList<RequestOutcome> Outcomes { get; private set; } = [];

    public int Due { get; private set; }

    public DateTimeOffset Now { get; private set; }

    public string ProviderName(string slug) => providers.NameOf(slug);

    public async Task OnGetAsync(CancellationToken ct)
    {
        Now = time.GetUtcNow();
        var status = RequestNames.ParseStatus(Show);
        var filter = Show == "due" ? new RequestFilter(Due: true) : new RequestFilter(status is { } s ? [s] : null);
        Show = Show == "due" || status is not null ? Show : null;
        var page = await queries.PageAsync(filter, Paging.FromLink<RequestQueries.PageKey>(Cursor, PageRows), ct);
        Requests = page.Items;
        Pager = new Pager("requests-pager", page.Items.Count, await queries.CountAsync(filter, ct),
            page.Next is null ? null : Url.Page(null, new { show = Show, cursor = page.Next }),
            string.IsNullOrEmpty(Cursor) ? null : Url.Page(null, new { show = Show }),
            "requests");
        Due = await queries.CountAsync(new RequestFilter(Due: true), ct);
        Outcomes = await queries.OutcomesAsync(null, ct);
    }
}
