using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Incidents;

/// <summary>PRODUCT.md's incident calls: the list, one incident, its values and timeline page by page, and a person's changes.</summary>
public static class IncidentEndpoints
{
    public static RouteGroupBuilder MapIncidentApi(this RouteGroupBuilder api)
    {
        var incidents = api.MapGroup("/incidents").WithTags("Incidents");

        incidents.MapGet("/", async Task<Results<Ok<Page<IncidentResponse>>, ProblemHttpResult>> (
            [AsParameters] IncidentListQuery query, [AsParameters] PageQuery paging, IncidentQueries queries, CancellationToken ct) =>
        {
            if (!query.TryRead(out var filter, out var problem) || !paging.TryRead<IncidentQueries.PageKey>(out var page, out problem))
            {
                return problem;
            }

            if (filter.Assignee is { } assignee)
            {
                filter = filter with { Assignee = await queries.AssigneeAsync(assignee, ct) };
            }

            return TypedResults.Ok((await queries.PageAsync(filter, page, ct)).Select(IncidentResponse.From));
        })
        .WithSummary("Incidents, newest activity first, a page at a time: {\"items\", \"next\"}. active=true: open, requested and awaiting-reply "
            + "(false: resolved and wont-fix); state: one or several, comma-separated; provider: a slug; severity; assignee: a user's email. "
            + "Each item's assetGroup is {\"value\", \"label\", \"assetId\", \"inInventory\"}: the inventory asset the block is about, or a source "
            + "outside the inventory (inInventory false, assetId null); citedBy: the receivers whose rejections named this list.");

        incidents.MapGet("/{id:long}", async Task<Results<Ok<IncidentDetailResponse>, ProblemHttpResult>> (
            long id, IncidentQueries queries, CancellationToken ct) =>
            await DetailAsync(id, queries, ct) is { } detail ? TypedResults.Ok(detail) : NotFound(id))
            .WithSummary("One incident: the list's fields, closedAt, severityPinned, the first 100 affected values, the evidence "
                + "(listing answers; rejection samples copied into the incident) and the newest 100 timeline lines. "
                + "affectedNext and timelineNext are the cursors of /affected and /timeline, null when nothing more.");

        incidents.MapGet("/{id:long}/affected", async Task<Results<Ok<Page<AffectedValueResponse>>, ProblemHttpResult>> (
            long id, [AsParameters] PageQuery paging, IncidentQueries queries, CancellationToken ct) =>
        {
            if (!paging.TryRead<IncidentQueries.ValueKey>(out var page, out var problem))
            {
                return problem;
            }

            return await queries.ExistsAsync(id, ct)
                ? TypedResults.Ok((await queries.AffectedAsync(id, page, ct)).Select(AffectedValueResponse.From))
                : NotFound(id);
        })
        .WithSummary("An incident's affected values in the order they were recorded, a page at a time: start from the detail's affectedNext.");

        incidents.MapGet("/{id:long}/timeline", async Task<Results<Ok<Page<TimelineEntryResponse>>, ProblemHttpResult>> (
            long id, [AsParameters] PageQuery paging, IncidentQueries queries, CancellationToken ct) =>
        {
            if (!paging.TryRead<IncidentQueries.TimelineKey>(out var page, out var problem))
            {
                return problem;
            }

            return await queries.ExistsAsync(id, ct)
                ? TypedResults.Ok((await queries.TimelineAsync(id, page, ct)).Select(TimelineEntryResponse.From))
                : NotFound(id);
        })
        .WithSummary("An incident's timeline, newest first, a page at a time: start from the detail's timelineNext.");

        incidents.MapPatch("/{id:long}", async Task<Results<Ok<IncidentDetailResponse>, ProblemHttpResult>> (
            long id, IncidentChange change, IncidentChanges changes, IncidentQueries queries, CancellationToken ct) =>
        {
            var result = await changes.ChangeAsync(id, change, ct);
            return result.Outcome switch
            {
                IncidentChangeOutcome.Changed when await DetailAsync(id, queries, ct) is { } detail => TypedResults.Ok(detail),
                IncidentChangeOutcome.Invalid => Problems.BadRequest("Invalid change", result.Problem!),
                IncidentChangeOutcome.Conflict => Problems.Conflict("Change refused", result.Problem!),
                _ => NotFound(id),
            };
        })
        .RequireAuthorization(Policies.CanEdit)
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            // Not ProducesProblem: that puts the framework's ProblemDetails schema (no extension members) in place of the API's own.
            operation.Responses ??= [];
            operation.Responses["409"] = new OpenApiResponse
            {
                Description = "Refused in the incident's state: resolving by hand (incidents resolve themselves on clean checks), "
                    + "or reopening while another incident for the same provider and group is active.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(OpenApiOperationContract.ProblemSchema, context.Document) },
                },
            };
            return Task.CompletedTask;
        })
        .WithSummary("Change what a person may change, each field optional: {\"state\": open, requested, awaiting-reply or wont-fix; "
            + "\"assignee\": a user's email, \"\" to unassign; \"severity\": critical, high, medium, low, or auto to give it back to the rules; "
            + "\"note\": text for the timeline}. Every change goes on the timeline and the audit trail. 200 with the incident as "
            + "GET /api/incidents/{id} shows it; 409 for resolved (incidents resolve themselves on clean checks) or when another "
            + "incident for the same provider and group is active. Responder or Admin.");

        return api;
    }

    private static async Task<IncidentDetailResponse?> DetailAsync(long id, IncidentQueries queries, CancellationToken ct) =>
        await queries.DetailAsync(id, ct) is { } detail
            ? IncidentDetailResponse.From(detail, await queries.ListingAnswersAsync(id, ct))
            : null;

    private static ProblemHttpResult NotFound(long id) => Problems.NotFound($"There is no incident {id}; GET /api/incidents lists them.");
}
