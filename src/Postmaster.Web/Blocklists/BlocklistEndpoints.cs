using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Assets;
using Postmaster.Core.Blocklists;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Blocklists;

public sealed record BlocklistResponse(
    long Id, string Slug, string Name, string Zone, string Lists, bool Ipv6, string Provider, bool Enabled, bool Custom, bool UserEdited,
    string Health, string? HealthDetail, DateTimeOffset? HealthCheckedAt, bool HasKey, bool KeyRequired, int? MaxQueriesPerSecond,
    long? FreeDailyQueries, long UsedToday, bool? RefusesPublicResolvers, string? DelistUrl, string? DelistProcedure, string? AutoExpiry,
    IReadOnlyDictionary<string, CatalogCode> Codes, IReadOnlyDictionary<string, string> ErrorCodes)
{
    public static BlocklistResponse From(Blocklist b, long usedToday)
    {
        var d = b.Definition();
        var entry = BlocklistDefinitionReader.Write(d);
        return new(b.Id, b.Slug, b.Name, b.Zone, entry.Lists!, d.Ipv6, d.Provider, b.Enabled, b.Custom, b.UserEdited,
            HealthName(b.Health), b.HealthDetail, b.HealthCheckedAt, b.AccessKey is not null, d.QueryPolicy.KeyRequired, b.MaxQueriesPerSecond,
            d.QueryPolicy.FreeDailyQueries, usedToday, d.QueryPolicy.RefusesPublicResolvers, d.DelistUrl, d.DelistProcedure, d.AutoExpiry,
            entry.Codes, entry.ErrorCodes);
    }

    public static string HealthName(ListHealthState state) => state switch
    {
        ListHealthState.Healthy => "healthy",
        ListHealthState.Quarantined => "quarantined",
        ListHealthState.ResolverRefused => "resolver-refused",
        _ => "unchecked",
    };
}

public sealed record SweepRequest(long[]? AssetIds);

/// <summary>
/// A sweep as the API shows it. <c>reason</c> says why a run failed; <c>listsChecked</c>,
/// <c>listsSkipped</c> and <c>skipped</c> say which enabled lists it could not ask, so a partial run
/// never reads as a full one. <c>incidentsAppliedAt</c>: when the incidents took the completed run
/// in (its listings, its clean checks, severities settled), a moment after <c>finishedAt</c>; null
/// before that, and for a run that failed (it checks nothing).
/// </summary>
public sealed record SweepResponse(
    long Id, string State, string? Reason, long Total, long Done, long Listed, long Unknown,
    int ListsChecked, int ListsSkipped, IReadOnlyList<SkippedListResponse> Skipped, int ChunksTotal, int ChunksDone,
    string Trigger, string? Notes, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt,
    DateTimeOffset? IncidentsAppliedAt)
{
    public static SweepResponse From(SweepRun r)
    {
        var coverage = SweepCoverage.Of(r);
        return new(
            r.Id, r.State.ToString().ToLowerInvariant(), r.Error, r.Total, r.Done, r.Listed, r.Unknown,
            coverage.ListsChecked, coverage.ListsSkipped, coverage.Skipped.Select(s => new SkippedListResponse(s.Zone, s.Reason)).ToList(),
            r.ChunksTotal, r.ChunksDone, r.Trigger, r.Notes, r.Error, r.CreatedAt, r.StartedAt, r.FinishedAt, r.IncidentsAppliedAt);
    }
}

public sealed record SkippedListResponse(string Zone, string Reason);

public sealed record ListingResponse(
    string Value, string Asset, string Zone, string Provider, string[] Codes, string Category, string? Reason,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen, bool Active)
{
    public static ListingResponse From(ListingView v) => new(
        v.Value, v.Asset, v.Zone, v.Provider, v.Codes.Split(',', StringSplitOptions.RemoveEmptyEntries), v.Category, v.Reason, v.FirstSeen, v.LastSeen, v.Active);
}

public sealed record LookupResponse(string Value, IReadOnlyList<LookupListResult> Results);

/// <summary>One list's answer in a look-up: <c>outcome</c> is <c>listed</c>, <c>not-listed</c> or <c>unknown</c>; <c>reason</c> the TXT reason of a listing or why the answer is unknown.</summary>
public sealed record LookupListResult(string Zone, string Name, string Outcome, string[] Codes, string[] Categories, string? Reason, string? Detail)
{
    public static string OutcomeName(ListingOutcome outcome) => outcome switch
    {
        ListingOutcome.Listed => "listed",
        ListingOutcome.NotListed => "not-listed",
        _ => "unknown",
    };
}

public static class BlocklistEndpoints
{
    public static RouteGroupBuilder MapBlocklistApi(this RouteGroupBuilder api)
    {
        var lists = api.MapGroup("/blocklists").WithTags("Blocklists");
        lists.MapGet("/", async Task<Results<Ok<Page<BlocklistResponse>>, ProblemHttpResult>> (
            [AsParameters] PageQuery paging, BlocklistDirectory directory, CancellationToken ct) =>
            paging.TryRead<BlocklistDirectory.PageKey>(out var page, out var problem)
                ? TypedResults.Ok((await directory.ListAsync(page, ct)).Select(l => BlocklistResponse.From(l.List, l.UsedToday)))
                : problem)
            .WithSummary("The catalog, by name, a page at a time: every list with its health, codes and budget.");

        lists.MapPost("/", async Task<Results<Created<BlocklistResponse>, ProblemHttpResult>> (CatalogEntry entry, BlocklistDirectory directory, CancellationToken ct) =>
        {
            var outcome = await directory.AddAsync(entry, ct);
            return outcome switch
            {
                { List: { } added } => TypedResults.Created($"/api/blocklists/{added.Id}", BlocklistResponse.From(added, 0)),
                { Conflict: { } clash } => Problems.Conflict("Already in the catalog", $"{clash.Zone} is already in the catalog as '{clash.Name}' (id {clash.Id}).",
                    new Dictionary<string, object?> { ["existingId"] = clash.Id }),
                _ => Problems.BadRequest("Invalid blocklist", outcome.Invalid!, new Dictionary<string, object?> { ["zone"] = entry.Zone }),
            };
        })
        .RequireAuthorization(Policies.AdminOnly)
        .WithSummary("Add a custom list: {\"zone\", \"lists\": \"ip\"|\"domain\", \"codes\", \"errorCodes\"}. Dead zones are refused with the reason.");

        lists.MapPatch("/{id:long}", async Task<Results<Ok<BlocklistResponse>, ProblemHttpResult>> (long id, BlocklistPatch patch, BlocklistDirectory directory, CancellationToken ct) =>
        {
            var outcome = await directory.UpdateAsync(id, patch, ct);
            return outcome switch
            {
                { List: { } updated } => TypedResults.Ok(BlocklistResponse.From(updated, 0)),
                { Invalid: { } why } => Problems.BadRequest("Invalid change", why),
                _ => Problems.NotFound($"There is no blocklist {id}."),
            };
        })
        .RequireAuthorization(Policies.AdminOnly)
        .WithSummary("Enable or disable a list ({\"enabled\": false}), set its key or rate, or correct its facts.");

        var sweeps = api.MapGroup("/sweeps").WithTags("Sweeps");
        sweeps.MapPost("/", async Task<Results<Accepted<SweepResponse>, ProblemHttpResult>> (
            SweepRequest? request, SweepCoordinator coordinator, PostmasterDbContext db, HttpContext http, CancellationToken ct) =>
        {
            var ids = request?.AssetIds?.Distinct().ToList() ?? [];
            if (ids.Count > 0)
            {
                var known = await db.Assets.Where(a => ids.Contains(a.Id)).Select(a => a.Id).ToListAsync(ct);
                var missing = ids.Except(known).ToList();
                if (missing.Count > 0)
                {
                    return Problems.BadRequest("Unknown assets", $"No asset with id {string.Join(", ", missing)}; GET /api/assets lists them.");
                }
            }

            var queued = await coordinator.QueueAsync(ids, "manual", http.User.Identity?.Name, ct);
            if (queued.AlreadyRunning)
            {
                return Problems.Conflict("A sweep is already running",
                    $"Sweep {queued.Run.Id} is {queued.Run.State.ToString().ToLowerInvariant()}; follow it at /api/sweeps/{queued.Run.Id}.",
                    new Dictionary<string, object?> { ["runningId"] = queued.Run.Id });
            }

            return TypedResults.Accepted($"/api/sweeps/{queued.Run.Id}", SweepResponse.From(queued.Run));
        })
        .RequireAuthorization(Policies.CanEdit)
        .WithSummary("Start a sweep now: {\"assetIds\": [...]} (empty for all). 202 with its id; 409 while one runs.");

        sweeps.MapGet("/{id:long}", async Task<Results<Ok<SweepResponse>, ProblemHttpResult>> (long id, PostmasterDbContext db, CancellationToken ct) =>
            await db.SweepRuns.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } run
                ? TypedResults.Ok(SweepResponse.From(run))
                : Problems.NotFound($"There is no sweep {id}."))
            .WithSummary("A sweep's state and progress.");

        sweeps.MapGet("/", async Task<Results<Ok<Page<SweepResponse>>, ProblemHttpResult>> (
            [AsParameters] PageQuery paging, ListingQueries queries, CancellationToken ct) =>
            paging.TryRead<ListingQueries.SweepKey>(out var page, out var problem)
                ? TypedResults.Ok((await queries.SweepsAsync(page, ct)).Select(SweepResponse.From))
                : problem)
            .WithSummary("Sweeps, newest first, a page at a time.");

        api.MapGet("/listings", async Task<Results<Ok<Page<ListingResponse>>, ProblemHttpResult>> (
            bool? active, long? assetId, [AsParameters] PageQuery paging, ListingQueries queries, CancellationToken ct) =>
            paging.TryRead<ListingQueries.PageKey>(out var page, out var problem)
                ? TypedResults.Ok((await queries.ListingsAsync(active, assetId, page, ct)).Select(ListingResponse.From))
                : problem)
            .WithTags("Listings")
            .WithSummary("Listings (active=true for current ones), newest first, a page at a time, with the listed value and the asset it belongs to.");

        api.MapGet("/lookup", async Task<Results<Ok<LookupResponse>, ProblemHttpResult>> (string? value, AdHocLookup lookup, CancellationToken ct) =>
        {
            var result = await lookup.RunAsync(value, ct);
            return result.Response is { } response ? TypedResults.Ok(response) : Problems.BadRequest("Invalid value", result.Error!);
        })
        .WithTags("Listings")
        .WithSummary("Ask every enabled list about one IP or domain now: listed, not-listed or unknown per list. A quarantined or refusing list answers unknown with the reason; stale health checks run again first.");

        return api;
    }
}
