using Microsoft.AspNetCore.Http.HttpResults;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Audit;

public sealed record AuditEntryResponse(
    long Id, DateTimeOffset At, string Actor, string Action, string? Target, string? Detail, string? ClientAddress)
{
    public static AuditEntryResponse From(AuditEntry e) => new(e.Id, e.At, e.Actor, e.Action, e.Target, e.Detail, e.ClientAddress);
}

public sealed record AuditListResponse(IReadOnlyList<AuditEntryResponse> Items, string? Next);

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", async Task<Results<Ok<AuditListResponse>, ProblemHttpResult>> (
            string? cursor, int? limit, AuditQueries queries, CancellationToken ct) =>
        {
            if (!AuditQueries.TryParseCursor(cursor, out var before))
            {
                return Problems.BadRequest("Bad cursor", "The cursor is not one this API gave out: use the `next` value of the previous page, or leave it out for the newest entries.");
            }

            if (limit is < 1 or > AuditQueries.MaxLimit)
            {
                return Problems.BadRequest("Bad limit", $"limit must be between 1 and {AuditQueries.MaxLimit}.");
            }

            var page = await queries.PageAsync(before, limit ?? AuditQueries.DefaultLimit, ct);
            return TypedResults.Ok(new AuditListResponse(page.Items.Select(AuditEntryResponse.From).ToList(), page.Next));
        })
        .RequireAuthorization(Policies.AdminOnly)
        .WithTags("Audit")
        .WithSummary("The audit trail, newest first: who did what, when, from which address. Admin only.");
        return api;
    }
}
