using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Postmaster.Core.Incidents;
using Postmaster.Web.Infrastructure.Caching;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Incidents;

/// <summary>
/// The incident list: filters live in the URL (a GET form), so a filtered view can be bookmarked
/// and shared. Without a state the list shows the active incidents, what a person means by "open".
/// </summary>
public sealed class IndexModel(
    IncidentQueries queries, SharedReads shared, Core.Providers.ProviderRegistry providers, Core.Blocklists.BlocklistCatalog catalog, TimeProvider time) : PageModel
{
    public const string ActiveTab = "active";
    public const string AllTab = "all";

    public const int PageRows = 50;

    /// <summary>The age filter's choices: opened within a day, a week, a month, or before that.</summary>
    public static readonly IReadOnlyList<(string Value, string Text)> Ages =
        [("1d", "within a day"), ("7d", "within 7 days"), ("30d", "within 30 days"), ("older", "more than 30 days ago")];

    /// <summary><c>active</c> (the default), <c>all</c>, or one state as the API spells it.</summary>
    [BindProperty(SupportsGet = true)]
    public string? State { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Provider { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Severity { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Assignee { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Age { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public IReadOnlyList<Incident> Incidents { get; private set; } = [];

    public Pager Pager { get; private set; } = null!;

    public IReadOnlyDictionary<IncidentState, int> Counts { get; private set; } = new Dictionary<IncidentState, int>();

    public IReadOnlyList<string> Providers { get; private set; } = [];

    public IReadOnlyList<string> Users { get; private set; } = [];

    /// <summary>The state tab shown: a filter value that is no state falls back to the default.</summary>
    public string Tab { get; private set; } = ActiveTab;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Tab = State?.Trim().ToLowerInvariant() switch
        {
            null or "" or ActiveTab => ActiveTab,
            AllTab => AllTab,
            var name when IncidentNames.ParseState(name) is { } state => state.ToApi(),
            _ => ActiveTab,
        };
        var severity = IncidentNames.ParseSeverity(Severity);
        Severity = severity?.ToApi();
        Provider = string.IsNullOrWhiteSpace(Provider) ? null : Provider.Trim();
        Assignee = string.IsNullOrWhiteSpace(Assignee) ? null : Assignee.Trim();
        Age = Ages.Any(a => a.Value == Age) ? Age : null;

        var now = time.GetUtcNow();
        var filter = new IncidentFilter(
            Active: Tab == ActiveTab,
            States: IncidentNames.ParseState(Tab) is { } one ? [one] : null,
            Provider: Provider,
            Severity: severity,
            Assignee: Assignee,
            OpenedSince: Age switch
            {
                "1d" => now.AddDays(-1),
                "7d" => now.AddDays(-7),
                "30d" => now.AddDays(-30),
                _ => null,
            },
            OpenedBefore: Age == "older" ? now.AddDays(-30) : null);

        Counts = await queries.CountByStateAsync(filter, ct);
        var page = await queries.PageAsync(filter, Paging.FromLink<IncidentQueries.PageKey>(Cursor, PageRows), ct);
        Incidents = page.Items;
        Pager = new Pager(
            "incidents-pager",
            page.Items.Count,
            CountOf(Tab),
            page.Next is null ? null : Link(Tab, page.Next),
            string.IsNullOrEmpty(Cursor) ? null : Link(Tab, null),
            "incidents");
        Providers = IncidentQueries.KnownProviders(providers, catalog);
        if (!string.IsNullOrWhiteSpace(Provider) && !Providers.Contains(Provider, StringComparer.Ordinal))
        {
            Providers = [.. Providers, Provider]; // a custom list's operator, typed into the URL: keep it selected
        }
        Users = await IncidentAssignees.ForFilterAsync(shared, ct);
    }

    /// <summary>How many incidents a tab holds under the other filters.</summary>
    public int CountOf(string tab) => tab switch
    {
        ActiveTab => Counts.Where(c => c.Key.IsActive()).Sum(c => c.Value),
        AllTab => Counts.Values.Sum(),
        _ => IncidentNames.ParseState(tab) is { } state ? Counts.GetValueOrDefault(state) : 0,
    };

    /// <summary>This view with another state tab (or page), the other filters kept.</summary>
    public string Link(string tab, string? cursor = null) =>
        Url.Page(null, new { state = tab == ActiveTab ? null : tab, provider = Provider, severity = Severity, assignee = Assignee, age = Age, cursor })!;
}
