using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Alerts;

public sealed record TestAlertTarget(string Channel, string Target);

/// <summary>The answer to <c>POST /api/alerts/test</c>: the test alert and where it goes.</summary>
public sealed record TestAlertResponse(long AlertId, IReadOnlyList<TestAlertTarget> Targets);

/// <summary>PRODUCT.md's alert calls: recent deliveries (everyone reads), and a test alert (Admin).</summary>
public static class AlertEndpoints
{
    public static RouteGroupBuilder MapAlertApi(this RouteGroupBuilder api)
    {
        var alerts = api.MapGroup("/alerts").WithTags("Alerts");

        alerts.MapGet("/", async Task<Results<Ok<Page<AlertDeliveryResponse>>, ProblemHttpResult>> (
            [AsParameters] PageQuery paging, AlertQueries queries, CancellationToken ct) =>
        {
            if (!paging.TryRead<AlertQueries.PageKey>(out var page, out var problem))
            {
                return problem;
            }

            return TypedResults.Ok(await queries.PageAsync(page, failuresOnly: false, ct));
        })
        .WithSummary("Recent alert deliveries, newest first, a page at a time: {\"items\", \"next\"}. Each is one message to one recipient or webhook "
            + "(a digest when alerts were stacked): kind (or digest), summary, channel (email, webhook), target (an address, or the webhook's host), "
            + "state (pending, sending, retrying, sent, failed), attempts, lastError, deliveryId (the Message-ID and X-Postmaster-Delivery, the same on every retry).");

        alerts.MapPost("/test", async Task<Results<Accepted<TestAlertResponse>, ProblemHttpResult>> (
            ClaimsPrincipal user, AlertSettings settings, CancellationToken ct) =>
        {
            var result = await settings.SendTestAsync(await settings.EmailOfAsync(user, ct), ct);
            if (result.Problem is { } problem)
            {
                return Problems.Conflict("No alert channel", problem);
            }

            return TypedResults.Accepted("/api/alerts", new TestAlertResponse(result.AlertId!.Value,
                [.. result.Targets.Select(t => new TestAlertTarget(t.Channel == AlertChannel.Email ? "email" : "webhook", t.Target))]));
        })
        .RequireAuthorization(Policies.AdminOnly)
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            operation.Responses ??= [];
            operation.Responses["409"] = new OpenApiResponse
            {
                Description = "No alert channel is configured (neither Postmaster:Smtp:Host nor Postmaster:Alerts:Webhooks).",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(OpenApiOperationContract.ProblemSchema, context.Document) },
                },
            };
            return Task.CompletedTask;
        })
        .WithSummary("Send a test alert now, never stacked and never switched off: to Postmaster:Alerts:Recipients, to the admin who sends it, "
            + "and to every webhook. 202 with where it goes; GET /api/alerts shows how each delivery went. 409 when no channel is configured. Admin.");

        return api;
    }
}
