using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Alerts;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Alerts;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Alerts;

/// <summary>
/// Alert delivery on PostgreSQL with two instances on one database (the clustered deployment):
/// both deliver the outbox at the same moment, and every delivery reaches the SMTP server once.
/// </summary>
public sealed class AlertPostgresTests(PostgresCluster cluster)
{
    /// <summary>Three claims' worth of deliveries (one alert to this many recipients), so both instances get some.</summary>
    private const int Recipients = 30;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_instances_delivering_at_once_send_each_delivery_exactly_once()
    {
        Requirement.Require(cluster.UnavailableReason);
        Requirement.Require(AiosmtpdServer.UnavailableReason);
        await using var smtp = await AiosmtpdServer.StartAsync(Ct);
        var database = await cluster.CreateDatabaseAsync("alerts_twice");

        // A catch-up interval far beyond the test: only the calls below deliver.
        var settings = AlertScenario.Settings(smtp.Port, stackingMinutes: 0);
        settings["Postmaster:Alerts:CatchUpSeconds"] = "3600";
        settings["Postmaster:Scheduler:Clustered"] = "true";
        for (var n = 0; n < Recipients; n++)
        {
            settings[$"Postmaster:Alerts:Recipients:{n}"] = Recipient(n);
        }

        await using var a = PostmasterApp.Postgres(database, settings: settings);
        await using var b = PostmasterApp.Postgres(database, settings: settings);
        _ = a.Services;
        _ = b.Services;
        await AddAlertAsync(a);

        // Both instances lined up behind the delivery lock before either fans out or claims.
        await using (var held = await AdvisoryLock.HoldAsync(database, AlertTurns.AdvisoryLock, Ct))
        {
            var runs = Enumerable.Range(0, 3).SelectMany(_ => new[] { DeliverAsync(a), DeliverAsync(b) }).ToList();
            await Task.Delay(500, Ct);
            await AdvisoryLock.ReleaseAsync(held, AlertTurns.AdvisoryLock, Ct);
            await Task.WhenAll(runs);
        }

        await smtp.WaitForAsync(Recipients, TimeSpan.FromSeconds(20), Ct);
        await Task.Delay(TimeSpan.FromSeconds(1), Ct); // a repeat would have arrived by now
        var mails = smtp.Messages();

        Assert.Equal(Recipients, mails.Count);
        Assert.Equal(Recipients, mails.Select(m => m.MessageId).Distinct(StringComparer.Ordinal).Count());
        Assert.All(Enumerable.Range(0, Recipients), n => Assert.Single(smtp.MessagesTo(Recipient(n))));
        Assert.All(mails, m => Assert.Contains(Summary, m.Subject, StringComparison.Ordinal));

        await using var scope = b.Services.CreateAsyncScope();
        var deliveries = await scope.ServiceProvider.GetRequiredService<PostmasterDbContext>().AlertDeliveries.AsNoTracking().ToListAsync(Ct);
        Assert.Equal(Recipients, deliveries.Count);
        Assert.All(deliveries, d =>
        {
            Assert.Equal(DeliveryState.Sent, d.State);
            Assert.Equal(1, d.Attempts);
        });
    }

    private const string Summary = "Spamhaus SBL lists 192.0.2.10 (pool-a), new incident #1";

    private static string Recipient(int n) => $"ops{n:00}@alerts.test";

    private static async Task AddAlertAsync(PostmasterApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        db.Alerts.Add(new Alert
        {
            Kind = AlertKinds.IncidentOpened,
            At = DateTimeOffset.UtcNow,
            Provider = "spamhaus",
            Summary = Summary,
            Detail = "An alert written straight into the outbox.",
            Values = "192.0.2.10",
            ValueCount = 1,
            SubjectKey = "test:1",
        });
        await db.SaveChangesAsync(Ct);
    }

    private static async Task DeliverAsync(PostmasterApp app)
    {
        await Task.Yield();
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AlertDispatcher>().RunAsync(Ct);
    }
}
