using Microsoft.AspNetCore.Http.HttpResults;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Assets;

public sealed record AssetResponse(
    long Id, string Kind, string Value, string? Label, string? Pool, string? Owner, long AddressCount, DateTimeOffset CreatedAt)
{
    public static AssetResponse From(Asset a) =>
        new(a.Id, AssetKindNames.ToApi(a.Kind), a.Value, a.Label, a.Pool, a.Owner, a.AddressCount, a.CreatedAt);
}

public sealed record BulkAssetRequest(string? Lines, string? Kind = null, string? Pool = null);

public sealed record BulkAssetResponse(int Added, int Duplicates, int Invalid, IReadOnlyList<BulkLineResult> Lines);

public static class AssetEndpoints
{
    public static RouteGroupBuilder MapAssetApi(this RouteGroupBuilder api)
    {
        var assets = api.MapGroup("/assets").WithTags("Assets");

        assets.MapGet("/", async Task<Results<Ok<Page<AssetResponse>>, ProblemHttpResult>> (
            string? kind, string? pool, [AsParameters] PageQuery paging, AssetInventory inventory, CancellationToken ct) =>
        {
            if (!AssetKindNames.TryParse(kind, out var parsedKind))
            {
                return Problems.BadRequest("Unknown kind", $"Unknown kind '{kind}': use ip, range, domain or helo.");
            }

            if (!paging.TryRead<AssetInventory.PageKey>(out var page, out var problem))
            {
                return problem;
            }

            return TypedResults.Ok((await inventory.ListAsync(parsedKind, pool, page, ct)).Select(AssetResponse.From));
        })
        .WithSummary("List the inventory, optionally by kind or pool, a page at a time: {\"items\", \"next\"}; pass `next` as `cursor` for the next page.");

        assets.MapPost("/", async Task<Results<Created<AssetResponse>, ProblemHttpResult>> (
            AssetInput input, AssetInventory inventory, CancellationToken ct) =>
        {
            var result = await inventory.AddAsync(input, ct);
            if (result.Added is { } added)
            {
                return TypedResults.Created($"/api/assets/{added.Id}", AssetResponse.From(added));
            }

            if (result.DuplicateOf is { } existing)
            {
                return Problems.Conflict(
                    "Already in the inventory",
                    $"{existing.Value} is already in the inventory (asset {existing.Id}).",
                    new Dictionary<string, object?> { ["value"] = input.Value, ["existingId"] = existing.Id });
            }

            return Problems.BadRequest("Invalid asset", result.Invalid!, new Dictionary<string, object?> { ["value"] = input.Value });
        })
        .RequireAuthorization(Policies.CanEdit)
        .WithSummary("Add an asset; the kind is inferred from the value unless `kind` is `helo`.");

        assets.MapPost("/bulk", async Task<Results<Ok<BulkAssetResponse>, ProblemHttpResult>> (
            BulkAssetRequest request, AssetInventory inventory, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.Lines))
            {
                return Problems.BadRequest("Nothing to add", "`lines` is empty: send one value per line.");
            }

            var lines = await inventory.AddManyAsync(request.Lines, request.Kind, request.Pool, ct);
            return TypedResults.Ok(new BulkAssetResponse(
                lines.Count(l => l.Outcome == "added"),
                lines.Count(l => l.Outcome == "duplicate"),
                lines.Count(l => l.Outcome == "invalid"),
                lines));
        })
        .RequireAuthorization(Policies.CanEdit)
        .WithSummary("Add many assets, one per line; good lines are kept, bad ones reported per line.");

        assets.MapGet("/{id:long}", async Task<Results<Ok<AssetResponse>, ProblemHttpResult>> (
            long id, AssetInventory inventory, CancellationToken ct) =>
            await inventory.FindAsync(id, ct) is { } asset
                ? TypedResults.Ok(AssetResponse.From(asset))
                : Problems.NotFound($"There is no asset {id}."))
            .WithSummary("One asset: its kind, value, label, pool, owner and address count.");

        assets.MapDelete("/{id:long}", async Task<Results<NoContent, ProblemHttpResult>> (
            long id, AssetInventory inventory, CancellationToken ct) =>
            await inventory.DeleteAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound($"There is no asset {id}."))
        .RequireAuthorization(Policies.CanEdit)
        .WithSummary("Remove an asset.");

        return api;
    }

    public static IServiceCollection AddAssets(this IServiceCollection services) =>
        services.AddScoped<AssetInventory>();
}
