using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Postmaster.Core.Signals;
using Postmaster.Core.Signals.Bounces;
using Postmaster.Core.Signals.Logs;
using Postmaster.Web.Infrastructure.Auth;
using Postmaster.Web.Infrastructure.Http;

namespace Postmaster.Web.Signals;

public sealed record IngestResponse(long Accepted, long Malformed, long Ignored, IReadOnlyList<IngestCounter.Sample> MalformedSamples);

public sealed record ClassifyRequest(string? Response, string? RecipientDomain, string? Mx);

public sealed record ClassifyResponse(string? Provider, string? Kind, string? Blocklist, string? MatchedRule);

public sealed record BounceSignal(string? Recipient, string Status, int? Code, string? EnhancedCode, string? Response, string? Provider, string? Kind);

public sealed record BounceResponse(long Accepted, long Malformed, bool IsBounce, string? NotABounceBecause, IReadOnlyList<BounceSignal> Signals);

public sealed record EpisodeResponse(
    long Id, string Provider, string? SourceIp, string Kind, string State, DateTimeOffset StartedAt, DateTimeOffset LastSeenAt,
    DateTimeOffset? EndedAt, long Rejections, string? Blocklist, string? MatchedRule, string? SampleResponse);

public static class SignalEndpoints
{
    public static RouteGroupBuilder MapSignalApi(this RouteGroupBuilder api)
    {
        var signals = api.MapGroup("/signals").WithTags("Signals");

        signals.MapPost("/", async (HttpContext http, SignalIngestor ingestor, IOptions<SignalOptions> options, CancellationToken ct) =>
        {
            AllowLargeBody(http, options.Value);
            var counter = new IngestCounter();
            var ndjson = http.Request.ContentType is { } type && (type.Contains("ndjson", StringComparison.OrdinalIgnoreCase) || type.Contains("jsonl", StringComparison.OrdinalIgnoreCase));
            var outcomes = ndjson
                ? SignalSources.FromNdjson(http.Request.Body, counter, ct)
                : SignalSources.FromJsonArray(http.Request.Body, counter, ct);
            await ingestor.IngestAsync(outcomes, counter, ndjson ? "api:ndjson" : "api:json", ct);
            return Accepted(counter);
        })
        .RequireAuthorization(Policies.CanEdit)
        .Accepts<DeliveryOutcome[]>("application/json", "application/x-ndjson")
        .Produces<IngestResponse>(StatusCodes.Status202Accepted)
        .WithSummary("Ingest delivery outcomes: a JSON array, or NDJSON (Content-Type application/x-ndjson). Streamed; bad items are counted and sampled, good ones kept.");

        signals.MapPost("/log", async Task<Results<Accepted<IngestResponse>, ProblemHttpResult>> (
            string? format, HttpContext http, SignalIngestor ingestor, IOptions<SignalOptions> options, CancellationToken ct) =>
        {
            if (!LogFormats.TryGet(format, out var parser))
            {
                return Problems.BadRequest("Unknown log format", $"format must be one of {string.Join(", ", LogFormats.Names)} (got '{format}').");
            }

            AllowLargeBody(http, options.Value);
            var counter = new IngestCounter();
            await ingestor.IngestAsync(SignalSources.FromLog(http.Request.Body, parser, counter, ct), counter, $"upload:{format}", ct);
            return Accepted(counter);
        })
        .RequireAuthorization(Policies.CanEdit)
        .Accepts<string>("text/plain", RawBody)
        .WithSummary("Ingest raw MTA log text (?format=postfix|exim|kumomta), streamed: a day's log of a busy server is a normal upload.");

        signals.MapPost("/bounce", async Task<Results<Accepted<BounceResponse>, ProblemHttpResult>> (HttpContext http, SignalIngestor ingestor, CancellationToken ct) =>
        {
            if (http.Request.ContentLength > BounceParser.MaxMessageBytes)
            {
                return BounceTooLarge();
            }

            // Kestrel request bodies are async-only: the async entry point reads at most MaxMessageBytes.
            var report = await BounceParser.ParseAsync(http.Request.Body, ct);
            if (await http.Request.Body.ReadAsync(new byte[1], ct) > 0)
            {
                // A streamed body (no Content-Length) that goes on past what the parser read.
                return BounceTooLarge();
            }

            var counter = new IngestCounter();
            var outcomes = report.Recipients.Select(BounceParser.ToOutcome).ToList();
            if (!report.IsBounce)
            {
                counter.Ignored++;
            }

            await ingestor.IngestAsync(outcomes.ToAsyncEnumerable(), counter, "bounce", ct);
            var signalsRead = outcomes.Select(o =>
            {
                var c = ingestor.Classify(o);
                return new BounceSignal(o.Recipient, o.Status.ToApi(), o.SmtpCode, o.EnhancedCode, o.Response, c.Provider, c.Kind?.ToApi());
            }).ToList();
            return TypedResults.Accepted((string?)null, new BounceResponse(counter.Accepted, counter.Malformed, report.IsBounce, report.NotABounceBecause, signalsRead));
        })
        .RequireAuthorization(Policies.CanEdit)
        .Accepts<string>("message/rfc822", RawBody)
        .WithSummary("Ingest one bounce message (RFC 3464 DSN or a provider's own format), at most 10 MB; answers what it read.");

        signals.MapPost("/classify", (ClassifyRequest request, ResponseClassifier classifier) =>
        {
            var c = classifier.Classify(request.Response, request.RecipientDomain, request.Mx);
            return new ClassifyResponse(c.Provider, c.Kind?.ToApi(), c.Blocklist, c.MatchedRule);
        })
        .WithSummary("Classify a reply without storing it: provider, kind, blocklist and the rule that matched.");

        signals.MapGet("/summary", async Task<Results<Ok<IReadOnlyList<SummaryRow>>, ProblemHttpResult>> (
            DateTimeOffset? since, DateTimeOffset? until, SignalQueries queries, TimeProvider time, CancellationToken ct) =>
        {
            var to = until ?? time.GetUtcNow();
            var from = since ?? to.AddDays(-1);
            if (from >= to)
            {
                return Problems.BadRequest("Empty window", "since must be before until.");
            }

            return TypedResults.Ok(await queries.SummaryAsync(from, to, ct));
        })
        .WithSummary("Delivery outcomes counted by provider, kind, status and source IP in [since, until) (default: the last 24 hours).");

        signals.MapGet("/quiet", async Task<Results<Ok<Page<QuietRow>>, ProblemHttpResult>> (
            [AsParameters] PageQuery paging, SignalQueries queries, CancellationToken ct) =>
            paging.TryRead<SignalQueries.QuietKey>(out var page, out var problem)
                ? TypedResults.Ok(await queries.QuietAsync(page, ct))
                : problem)
            .WithSummary("Source IPs quiet past their own rhythm or the published period at providers that reset quiet senders' reputation, the quietest first, a page at a time.");

        signals.MapGet("/episodes", async Task<Results<Ok<Page<EpisodeResponse>>, ProblemHttpResult>> (
            bool? open, [AsParameters] PageQuery paging, SignalQueries queries, CancellationToken ct) =>
            paging.TryRead<SignalQueries.EpisodeKey>(out var page, out var problem)
                ? TypedResults.Ok((await queries.EpisodesAsync(open ?? false, page, ct)).Select(e => new EpisodeResponse(
                    e.Id, e.Provider, e.SourceIp.Length == 0 ? null : e.SourceIp, e.Kind, e.State.ToString().ToLowerInvariant(),
                    e.StartedAt, e.LastSeenAt, e.EndedAt, e.Rejections, e.Blocklist, e.MatchedRule, e.SampleResponse)))
                : problem)
            .WithSummary("Block episodes (open=true for current ones), newest first, a page at a time: a provider refusing a source IP for a kind of reason.");

        signals.MapGet("/samples", async Task<Results<Ok<Page<SignalSample>>, ProblemHttpResult>> (
            string? provider, string? kind, [AsParameters] PageQuery paging, SignalQueries queries, CancellationToken ct) =>
            paging.TryRead<SignalQueries.SampleKey>(out var page, out var problem)
                ? TypedResults.Ok(await queries.SamplesAsync(provider, kind, page, ct))
                : problem)
            .WithSummary("The raw samples kept as evidence, newest first, a page at a time.");

        return api;
    }

    /// <summary>
    /// Raw-text calls take any Content-Type: `curl --data-binary @maillog` sends application/x-www-form-urlencoded,
    /// and the body is read as bytes whatever it is labelled.
    /// </summary>
    private const string RawBody = "*/*";

    private static ProblemHttpResult BounceTooLarge() => Problems.TooLarge(
        $"A bounce message may be at most {BounceParser.MaxMessageBytes / 1024 / 1024} MB ({BounceParser.MaxMessageBytes} bytes); this one is larger. "
        + "Send the delivery report without large attachments, or ingest its outcomes as JSON through POST /api/signals.");

    private static Accepted<IngestResponse> Accepted(IngestCounter counter) =>
        TypedResults.Accepted((string?)null, new IngestResponse(counter.Accepted, counter.Malformed, counter.Ignored, counter.Samples));

    private static void AllowLargeBody(HttpContext http, SignalOptions options)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxUploadBytes;
        }
    }
}
