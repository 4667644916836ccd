using Microsoft.Extensions.Options;
using Postmaster.Core.Signals;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Web.Signals;

/// <summary>
/// The one path every source takes (API, log upload, log follower, bounce, IMAP): classify each
/// outcome, aggregate, write in bounded batches, update block episodes, and record what was read.
/// </summary>
public sealed class SignalIngestor(
    ResponseClassifier classifier,
    SignalStore store,
    EpisodeTracker episodes,
    PostmasterDbContext db,
    Incidents.IncidentTrigger incidents,
    IOptions<SignalOptions> options,
    TimeProvider time,
    ILogger<SignalIngestor> log)
{
    public const int FlushEvery = 50_000;

    public Classification Classify(DeliveryOutcome outcome) => classifier.Classify(outcome);

    public async Task<IngestCounter> IngestAsync(IAsyncEnumerable<DeliveryOutcome> outcomes, IngestCounter counter, string origin, CancellationToken ct)
    {
        var batch = new SignalBatch(options.Value.SamplesPerProviderAndKind);
        await foreach (var outcome in outcomes.WithCancellation(ct))
        {
            batch.Add(outcome, Classify(outcome), time.GetUtcNow(), origin);
            counter.Accepted++;
            if (batch.Count >= FlushEvery)
            {
                await FlushAsync(batch, ct);
                batch = new SignalBatch(options.Value.SamplesPerProviderAndKind);
            }
        }

        await FlushAsync(batch, ct);
        db.IngestReports.Add(new IngestReport
        {
            At = time.GetUtcNow(),
            Origin = origin.Length > 300 ? origin[..300] : origin,
            Accepted = counter.Accepted,
            Ignored = counter.Ignored,
            Malformed = counter.Malformed,
            SamplesJson = counter.SamplesJson(),
        });
        await db.SaveChangesAsync(ct);
        log.LogInformation("Ingested from {Origin}: {Accepted} outcomes, {Ignored} other lines, {Malformed} malformed", origin, counter.Accepted, counter.Ignored, counter.Malformed);
        return counter;
    }

    private async Task FlushAsync(SignalBatch batch, CancellationToken ct)
    {
        await store.SaveAsync(batch, ct);
        await episodes.UpdateAsync(batch, ct);

        // Episodes opened by this batch become incidents now; mail accepted again resolves them.
        await incidents.RunAsync(ct);
    }
}
