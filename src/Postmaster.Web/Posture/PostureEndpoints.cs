using Microsoft.AspNetCore.Http.HttpResults;
using Postmaster.Core.Posture;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Posture;

public sealed record PostureCheckResponse(string Name, string Status, string Detail, string? Fix)
{
    public static PostureCheckResponse From(PostureCheck c) => new(c.Name, c.Status.ToApi(), c.Detail, c.Fix);
}

/// <summary>PRODUCT.md's posture answer: <c>{"value", "checkedAt", "checks": [{"name", "status", "detail", "fix"}]}</c>.</summary>
public sealed record PostureResponse(string Value, DateTimeOffset? CheckedAt, IReadOnlyList<PostureCheckResponse> Checks)
{
    public static PostureResponse From(PostureView view) => new(view.Value, view.CheckedAt, [.. view.Checks.Select(PostureCheckResponse.From)]);
}

public sealed record DkimSelectorsRequest(IReadOnlyList<string?>? Selectors);

public sealed record DkimSelectorsResponse(string Value, IReadOnlyList<string> Selectors);

/// <summary><c>GET /api/posture/{asset}</c> (the contract), and the refresh and DKIM selector calls beside it.</summary>
public static class PostureEndpoints
{
    private const string AssetHelp = "`asset` is an asset id, an IP address, a range or a domain.";

    public static RouteGroupBuilder MapPostureApi(this RouteGroupBuilder api)
    {
        var posture = api.MapGroup("/posture").WithTags("Posture");

        // A catch-all, so a range can be written as it is: /api/posture/192.0.2.0/28 (or with %2F, as the other calls need).
        posture.MapGet("/{**asset}", async Task<Results<Ok<PostureResponse>, ProblemHttpResult>> (
            string asset, PostureQueries queries, PostureService service, CancellationToken ct) =>
        {
            var (found, value, error) = await queries.ResolveAsync(asset, ct);
            if (error is not null)
            {
                return Problems.BadRequest("Not an asset", $"{error} {AssetHelp}");
            }

            if (value is null)
            {
                return Problems.NotFound($"There is no asset {asset}; GET /api/assets lists them.");
            }

            if (found is null)
            {
                return TypedResults.Ok(PostureResponse.From(await service.CheckAsync(value, ct)));
            }

            var stored = await queries.ReadAsync(found, ct);
            return TypedResults.Ok(PostureResponse.From(stored?.CheckedAt is null ? await service.RefreshAsync(found, ct) : stored));
        })
        .WithSummary("The posture facts for an asset id, IP or domain: {\"value\", \"checkedAt\", \"checks\": [{\"name\", \"status\": pass|warn|fail|unknown, "
            + "\"detail\", \"fix\"}]}; names ptr, fcrdns, helo, website, spf for an address or range, spf, dmarc, dkim, mx, mta-sts for a domain, helo for a HELO name. "
            + "An inventory asset answers its last stored result (checked now the first time); a value outside the inventory is checked now and not stored. "
            + "A DNS timeout or SERVFAIL is unknown, never pass; every check that does not pass has a one-line fix.");

        posture.MapPost("/{asset}/refresh", async Task<Results<Ok<PostureResponse>, ProblemHttpResult>> (
            string asset, PostureQueries queries, PostureService service, CancellationToken ct) =>
        {
            var (found, value, error) = await queries.ResolveAsync(asset, ct);
            if (error is not null)
            {
                return Problems.BadRequest("Not an asset", $"{error} {AssetHelp}");
            }

            return found is null
                ? Problems.NotFound(value is null
                    ? $"There is no asset {asset}; GET /api/assets lists them."
                    : $"{value.Value} is not in the inventory, so nothing is stored to refresh: GET /api/posture/{value.Value} checks it now.")
                : TypedResults.Ok(PostureResponse.From(await service.RefreshAsync(found, ct)));
        })
        .RequireAuthorization(Policies.CanEdit)
        .WithSummary("Run an inventory asset's posture checks now and store the result; 200 with the answer GET gives. Responder or Admin.");

        posture.MapPut("/{asset}/dkim-selectors", async Task<Results<Ok<DkimSelectorsResponse>, ProblemHttpResult>> (
            string asset, DkimSelectorsRequest request, PostureQueries queries, PostureService service, CancellationToken ct) =>
        {
            var (found, _, error) = await queries.ResolveAsync(asset, ct);
            if (error is not null)
            {
                return Problems.BadRequest("Not an asset", $"{error} {AssetHelp}");
            }

            if (found is null)
            {
                return Problems.NotFound($"There is no asset {asset} in the inventory; DKIM selectors are set on sending domains (POST /api/assets adds one).");
            }

            if (request.Selectors is null)
            {
                return Problems.BadRequest("No selectors", "Send {\"selectors\": [\"s1\", \"s2\"]}: the s= values of your DKIM-Signature headers ([] to try common selectors).");
            }

            var (selectors, problem) = await service.SetSelectorsAsync(found, request.Selectors, ct);
            return selectors is null
                ? Problems.BadRequest("Invalid selectors", problem!)
                : TypedResults.Ok(new DkimSelectorsResponse(found.Value, selectors));
        })
        .RequireAuthorization(Policies.CanEdit)
        .WithSummary("Set a sending domain's DKIM selectors {\"selectors\": [...]} (the s= of its DKIM-Signature headers); the dkim check looks up "
            + "each one's key. [] goes back to trying common selectors, which never passes. Takes effect at the next refresh. Responder or Admin.");

        return api;
    }
}
