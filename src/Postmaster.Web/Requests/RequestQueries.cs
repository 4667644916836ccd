using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Incidents;
using Postmaster.Core.Requests;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Requests;

/// <summary>Which requests a list shows: by status, only those whose follow-up is due, one incident's.</summary>
public sealed record RequestFilter(IReadOnlyList<RequestStatus>? Statuses = null, bool Due = false, long? IncidentId = null);

/// <summary>Reads requests for the API and the pages, newest first, keyset-paged.</summary>
public sealed class RequestQueries(PostmasterDbContext db, TimeProvider time)
{
    public const int HistoryRows = 200;

    public sealed record PageKey(long Id) : IPageKey
    {
        public static string Scope => "requests";
    }

    public async Task<Page<ProviderRequest>> PageAsync(RequestFilter filter, PageRequest<PageKey> page, CancellationToken ct)
    {
        var query = Filter(filter);
        if (page.After is { } after)
        {
            query = query.Where(r => r.Id < after.Id);
        }

        var rows = await query.OrderByDescending(r => r.Id).Take(page.Limit + 1).ToListAsync(ct);
        return Paging.Cut(rows, page.Limit, r => new PageKey(r.Id));
    }

    public Task<int> CountAsync(RequestFilter filter, CancellationToken ct) => Filter(filter).CountAsync(ct);

    public Task<ProviderRequest?> FindAsync(long id, CancellationToken ct) => db.Requests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);

    /// <summary>A request's own history, newest first.</summary>
    public Task<List<RequestEvent>> HistoryAsync(long id, CancellationToken ct) =>
        db.RequestEvents.AsNoTracking().Where(e => e.RequestId == id).OrderByDescending(e => e.Id).Take(HistoryRows).ToListAsync(ct);

    /// <summary>The requests whose follow-up is due, the longest overdue first.</summary>
    public Task<List<ProviderRequest>> DueAsync(int limit, CancellationToken ct) =>
        Filter(new RequestFilter(Due: true)).OrderBy(r => r.FollowUpAt).ThenBy(r => r.Id).Take(limit).ToListAsync(ct);

    /// <summary>Per provider and kind: sent, accepted, denied, and the median time from submission to the block ending.</summary>
    public async Task<IReadOnlyList<RequestOutcome>> OutcomesAsync(string? provider, CancellationToken ct)
    {
        var query = db.Requests.AsNoTracking().Where(r => r.SubmittedAt != null);
        if (provider is not null)
        {
            query = query.Where(r => r.Provider == provider);
        }

        var rows = await query
            .Join(db.Incidents.AsNoTracking(), r => r.IncidentId, i => i.Id, (r, i) => new { r.Provider, r.Kind, r.Status, r.SubmittedAt, i.State, i.ClosedAt })
            .ToListAsync(ct);

        // The block ended when the incident resolved on clean checks; a wont-fix incident ended nothing.
        return RequestOutcome.Of(rows.Select(r => new RequestOutcomeFacts(
            r.Provider, r.Kind, r.Status, r.SubmittedAt!.Value, r.State == IncidentState.Resolved ? r.ClosedAt : null)));
    }

    private IQueryable<ProviderRequest> Filter(RequestFilter filter)
    {
        var query = db.Requests.AsNoTracking();
        if (filter.Statuses is [var only])
        {
            query = query.Where(r => r.Status == only);
        }
        else if (filter.Statuses is { Count: > 1 } statuses)
        {
            query = query.Where(r => statuses.Contains(r.Status));
        }

        if (filter.Due)
        {
            var now = time.GetUtcNow();
            query = query.Where(r => r.FollowUpAt != null && r.FollowUpAt <= now && (r.Status == RequestStatus.Submitted || r.Status == RequestStatus.Replied));
        }

        if (filter.IncidentId is { } incident)
        {
            query = query.Where(r => r.IncidentId == incident);
        }

        return query;
    }
}

/// <summary>The filters of <c>GET /api/requests</c>, taken as text so a bad value gets a sentence that names the values it takes.</summary>
public sealed class RequestListQuery
{
    /// <summary>One status or several, comma-separated: draft, submitted, replied, accepted, denied.</summary>
    [FromQuery(Name = "status")]
    public string? Status { get; init; }

    /// <summary>true: only the submitted or replied requests whose follow-up time has come.</summary>
    [FromQuery(Name = "due")]
    public string? Due { get; init; }

    /// <summary>Only one incident's requests.</summary>
    [FromQuery(Name = "incidentId")]
    public string? IncidentId { get; init; }

    public bool TryRead(out RequestFilter filter, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        filter = new RequestFilter();
        problem = null;
        var statuses = new List<RequestStatus>();
        foreach (var part in (Status ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (RequestNames.ParseStatus(part) is not { } status)
            {
                problem = Problems.BadRequest("Invalid status",
                    $"status '{ColumnText.Fit(part, 40)}' is not one of {RequestNames.StatusNames}; give one or several, comma-separated (status=submitted,replied).",
                    new Dictionary<string, object?> { ["allowed"] = RequestNames.StatusNames.Split(", ") });
                return false;
            }

            statuses.Add(status);
        }

        var due = Due?.Trim().ToLowerInvariant();
        if (due is not (null or "" or "true" or "false"))
        {
            problem = Problems.BadRequest("Invalid due", $"due must be true (only requests whose follow-up is due) or false, not '{ColumnText.Fit(Due!, 40)}'.");
            return false;
        }

        long? incident = null;
        if (!string.IsNullOrWhiteSpace(IncidentId))
        {
            if (!long.TryParse(IncidentId.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id))
            {
                problem = Problems.BadRequest("Invalid incidentId", $"incidentId must be an incident's id (a whole number), not '{ColumnText.Fit(IncidentId, 40)}'.");
                return false;
            }

            incident = id;
        }

        filter = new RequestFilter(statuses.Count == 0 ? null : statuses.Distinct().ToList(), due == "true", incident);
        return true;
    }
}
