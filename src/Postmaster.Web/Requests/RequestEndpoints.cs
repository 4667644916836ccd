using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Requests;

/// <summary>PRODUCT.md's request calls: the templates that fit an incident, drafting, the list, one request, tracking and sending.</summary>
public static class RequestEndpoints
{
    public static RouteGroupBuilder MapRequestApi(this RouteGroupBuilder api)
    {
        var incidents = api.MapGroup("/incidents").WithTags("Requests");

        incidents.MapGet("/{id:long}/templates", async Task<Results<Ok<List<TemplateResponse>>, ProblemHttpResult>> (
            long id, RequestDrafts drafts, CancellationToken ct) =>
            await drafts.TemplatesAsync(id, ct) is { } fits
                ? TypedResults.Ok(fits.Select(TemplateResponse.From).ToList())
                : Problems.NotFound($"There is no incident {id}; GET /api/incidents lists them."))
            .WithSummary("The request templates for this incident, the best first: [{\"id\": \"<slug>/<name>\", \"kind\", \"channel\", \"title\"}]. "
                + "The provider's templates whose appliesTo holds come first (the most specific first), then its others, then the generic pack's.");

        incidents.MapPost("/{id:long}/requests", async Task<Results<Created<RequestResponse>, ProblemHttpResult>> (
            long id, DraftRequestBody? body, RequestDrafts drafts, TimeProvider time, CancellationToken ct) =>
        {
            var result = await drafts.DraftAsync(id, body?.Template, body?.Fixed, ct);
            return result.Outcome == RequestOutcomeKind.Done
                ? TypedResults.Created($"/api/requests/{result.Request!.Id}", RequestResponse.From(result.Request, time.GetUtcNow()))
                : Problem(result, "Not drafted");
        })
        .RequireAuthorization(Policies.CanEdit)
        .WithProblems((StatusCodes.Status409Conflict, "The incident is resolved or wont-fix, or no template serves its provider."),
            (StatusCodes.Status502BadGateway, "The template failed to render this incident (a template bug; the log has it)."))
        .WithSummary("Draft a request: {\"template\": \"<slug>/<name>\" (optional: the best fit), \"fixed\": what was fixed (optional)}. "
            + "201 with id, template, kind, channel, to or formUrl, subject, body, fields ([{\"name\", \"label\", \"value\"}] for forms) and missingFacts "
            + "(organisation facts the provider asks for that the profile lacks). An open incident becomes requested. Responder or Admin.");

        var requests = api.MapGroup("/requests").WithTags("Requests");

        requests.MapGet("/", async Task<Results<Ok<Page<RequestResponse>>, ProblemHttpResult>> (
            [AsParameters] RequestListQuery query, [AsParameters] PageQuery paging, RequestQueries queries, TimeProvider time, CancellationToken ct) =>
        {
            if (!query.TryRead(out var filter, out var problem) || !paging.TryRead<RequestQueries.PageKey>(out var page, out problem))
            {
                return problem;
            }

            var now = time.GetUtcNow();
            return TypedResults.Ok((await queries.PageAsync(filter, page, ct)).Select(r => RequestResponse.From(r, now)));
        })
        .WithSummary("Requests, newest first, a page at a time: {\"items\", \"next\"}. status: one or several, comma-separated "
            + "(draft, submitted, replied, accepted, denied); due=true: the submitted or replied ones whose followUpAt has come; incidentId: one incident's.");

        requests.MapGet("/{id:long}", async Task<Results<Ok<RequestResponse>, ProblemHttpResult>> (
            long id, RequestQueries queries, TimeProvider time, CancellationToken ct) =>
            await queries.FindAsync(id, ct) is { } request
                ? TypedResults.Ok(RequestResponse.From(request, time.GetUtcNow(), await queries.HistoryAsync(id, ct)))
                : Problems.NotFound($"There is no request {id}; GET /api/requests lists them."))
            .WithSummary("One request, with its history (newest first).");

        requests.MapPatch("/{id:long}", async Task<Results<Ok<RequestResponse>, ProblemHttpResult>> (
            long id, RequestChange change, RequestTracking tracking, RequestQueries queries, TimeProvider time, CancellationToken ct) =>
        {
            var result = await tracking.ChangeAsync(id, change, ct);
            return result.Outcome == RequestOutcomeKind.Done
                ? TypedResults.Ok(RequestResponse.From(result.Request!, time.GetUtcNow(), await queries.HistoryAsync(id, ct)))
                : Problem(result, "Change refused");
        })
        .RequireAuthorization(Policies.CanEdit)
        .WithProblems((StatusCodes.Status409Conflict, "Not a step the request can take (a draft cannot be accepted; accepted and denied are final)."))
        .WithSummary("Track a request, each field optional: {\"status\": submitted, replied, accepted or denied; \"reference\": the provider's; "
            + "\"note\"; \"followUpAt\": ISO 8601; \"replyText\": the provider's answer (a submitted request becomes replied)}. submitted sets followUpAt "
            + "from the provider's cadence in business days (an auto-expiry list: its expiry) unless given. The incident follows: submitted → "
            + "awaiting-reply, denied → open; accepted resolves nothing by itself. Every change on the incident timeline and in the audit trail. Responder or Admin.");

        requests.MapPost("/{id:long}/send", async Task<Results<Accepted<RequestResponse>, ProblemHttpResult>> (
            long id, RequestMailer mailer, RequestQueries queries, TimeProvider time, CancellationToken ct) =>
        {
            var result = await mailer.SendAsync(id, ct);
            return result.Outcome == RequestOutcomeKind.Done
                ? TypedResults.Accepted($"/api/requests/{id}", RequestResponse.From(result.Request!, time.GetUtcNow(), await queries.HistoryAsync(id, ct)))
                : Problem(result, "Not sent");
        })
        .RequireAuthorization(Policies.CanEdit)
        .WithProblems((StatusCodes.Status409Conflict, "Not an email request, not a draft, no address, or no SMTP relay or sender configured."),
            (StatusCodes.Status502BadGateway, "The SMTP relay did not take the message; nothing was sent and the request is still a draft."))
        .WithSummary("Send an email request through the configured SMTP relay (Postmaster:Smtp:*), from Postmaster:Requests:From with :ReplyTo. "
            + "202 with the request, now submitted, with its messageId (replies are matched to it). Responder or Admin.");

        return api;
    }

    private static ProblemHttpResult Problem(RequestResult result, string title) => result.Outcome switch
    {
        RequestOutcomeKind.NotFound => Problems.NotFound(result.Problem!),
        RequestOutcomeKind.Invalid => Problems.BadRequest(title, result.Problem!),
        RequestOutcomeKind.Conflict => Problems.Conflict(title, result.Problem!),
        _ => TypedResults.Problem(result.Problem, statusCode: StatusCodes.Status502BadGateway, title: title),
    };

    /// <summary>Describes further problem answers (not ProducesProblem: that puts the framework's ProblemDetails schema in place of the API's own).</summary>
    private static RouteHandlerBuilder WithProblems(this RouteHandlerBuilder builder, params (int Status, string Description)[] problems) =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            operation.Responses ??= [];
            foreach (var (status, description) in problems)
            {
                operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
                {
                    Description = description,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(OpenApiOperationContract.ProblemSchema, context.Document) },
                    },
                };
            }

            return Task.CompletedTask;
        });
}
