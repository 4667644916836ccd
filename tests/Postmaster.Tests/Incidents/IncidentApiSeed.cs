using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Incidents;

/// <summary>
/// Incidents written straight to the database, as a busy installation would hold them: for paging
/// volume and for changes that must not touch the incidents a real sweep produced. Their providers
/// are names no list or receiver has, so the engine never picks them up.
/// </summary>
public static class IncidentApiSeed
{
    public const string PagingProvider = "paging-test";

    /// <summary>Times in whole seconds: PostgreSQL keeps microseconds, SQLite ticks; both then agree.</summary>
    public static readonly DateTimeOffset Base = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// <paramref name="count"/> incidents of <see cref="PagingProvider"/>: every state and severity in turn,
    /// every tenth assigned to the admin, five at a time sharing one last-activity time (the id breaks ties).
    /// </summary>
    public static async Task PagingAsync(PostmasterApp app, int count)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var states = Enum.GetValues<IncidentState>();
        var severities = Enum.GetValues<IncidentSeverity>();
        db.Incidents.AddRange(Enumerable.Range(0, count).Select(i => New(
            PagingProvider, $"paging-{i}.example", states[i % states.Length], severities[i % severities.Length],
            Base.AddMinutes(-(i / 5)), i % 10 == 0 ? PostmasterApp.AdminEmail : null)));
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>One open, medium incident of its own (a fresh group), for a test that changes it.</summary>
    public static async Task<long> OpenAsync(PostmasterApp app, string provider = "patch-test")
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var incident = New(provider, $"{Guid.NewGuid():N}.example", IncidentState.Open, IncidentSeverity.Medium, Base, assignee: null);
        db.Incidents.Add(incident);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return incident.Id;
    }

    /// <summary><paramref name="count"/> listed addresses on one zone, recorded in address order.</summary>
    public static async Task ValuesAsync(PostmasterApp app, long incidentId, int count)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        db.IncidentValues.AddRange(Enumerable.Range(0, count).Select(i => new IncidentValue
        {
            IncidentId = incidentId,
            Value = $"198.18.{i / 256}.{i % 256}",
            Source = "zen.spamhaus.org",
            Basis = IncidentBasis.Listing,
            Active = true,
            Codes = "127.0.0.2",
            Categories = "sbl",
            Reason = "seeded",
            FirstSeen = Base,
            LastSeen = Base,
        }));
        var incident = await db.Incidents.FindAsync([incidentId], TestContext.Current.CancellationToken);
        incident!.AffectedCount += count;
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    /// <summary><paramref name="count"/> timeline lines, one a minute, numbered in the order they happened.</summary>
    public static async Task TimelineAsync(PostmasterApp app, long incidentId, int count)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        db.IncidentTimeline.AddRange(Enumerable.Range(1, count).Select(i => new IncidentTimelineEntry
        {
            IncidentId = incidentId,
            At = Base.AddMinutes(i),
            Kind = "note",
            Actor = "system",
            Detail = $"line {i}",
        }));
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    private static Incident New(string provider, string value, IncidentState state, IncidentSeverity severity, DateTimeOffset at, string? assignee) => new()
    {
        Provider = provider,
        GroupKey = $"domain:{value}",
        GroupValue = value,
        InInventory = false,
        State = state,
        Severity = severity,
        Weight = ProviderWeight.Moderate,
        Assignee = assignee,
        OpenedAt = at.AddDays(-1),
        ClosedAt = state.IsActive() ? null : at,
        LastActivityAt = at,
        ActiveMarker = state.IsActive() ? 1 : null,
    };
}
