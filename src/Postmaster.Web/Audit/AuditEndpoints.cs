using Microsoft.AspNetCore.Http.HttpResults;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Audit;

public sealed record AuditEntryResponse(
    long Id, DateTimeOffset At, string Actor, string Action, string? Target, string? Detail, string? ClientAddress)
{
    public static AuditEntryResponse From(AuditEntry e) => new(e.Id, e.At, e.Actor, e.Action, e.Target, e.Detail, e.ClientAddress);
}

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", async Task<Results<Ok<Page<AuditEntryResponse>>, ProblemHttpResult>> (
            [AsParameters] PageQuery paging, AuditQueries queries, CancellationToken ct) =>
        {
            if (!paging.TryRead<AuditQueries.PageKey>(out var request, out var problem))
            {
                return problem;
            }

            return TypedResults.Ok((await queries.PageAsync(request, ct)).Select(AuditEntryResponse.From));
        })
        .RequireAuthorization(Policies.AdminOnly)
        .WithTags("Audit")
        .WithSummary("The audit trail, newest first: who did what, when, from which address. Admin only.");
        return api;
    }
}
