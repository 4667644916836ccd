using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Alerts;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Incidents;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Alerts;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Alerts;

/// <summary>
/// What goes into the outbox besides the engine's changes: a person's reopen or severity raise, the
/// request follow-ups' entry point, the test alert's answer without a channel, and retention.
/// </summary>
public abstract class AlertOutboxContract(IAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<List<Alert>> AlertsOfAsync(long incidentId)
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PostmasterDbContext>().Alerts.AsNoTracking()
            .Where(a => a.IncidentId == incidentId).OrderBy(a => a.Id).ToListAsync(Ct);
    }

    [Fact]
    public async Task A_person_reopening_or_raising_severity_writes_an_alert_with_the_change_and_a_note_writes_none()
    {
        var id = await IncidentApiSeed.OpenAsync(fixture.App, "alert-patch");
        using var api = fixture.App.Api();

        await api.PatchAsJsonAsync($"/api/incidents/{id}", new { note = "looked at it" }, Ct);
        await api.PatchAsJsonAsync($"/api/incidents/{id}", new { state = "wont-fix" }, Ct);
        await api.PatchAsJsonAsync($"/api/incidents/{id}", new { state = "open" }, Ct);
        var raised = await api.PatchAsJsonAsync($"/api/incidents/{id}", new { severity = "critical" }, Ct);
        await api.PatchAsJsonAsync($"/api/incidents/{id}", new { severity = "low" }, Ct); // lowering alerts no one

        Assert.Equal(HttpStatusCode.OK, raised.StatusCode);
        var alerts = await AlertsOfAsync(id);
        Assert.Equal([AlertKinds.IncidentReopened, AlertKinds.IncidentSeverityRaised], alerts.Select(a => a.Kind));
        Assert.StartsWith($"Reopened by key:", alerts[0].Detail, StringComparison.Ordinal);
        Assert.Equal(IncidentSeverity.Critical, alerts[1].Severity);
        Assert.Equal($"/incidents/{id}", alerts[1].Link);
    }

    [Fact]
    public async Task Request_follow_ups_alert_once_per_call_and_never_for_auto_expiry_or_self_service()
    {
        var id = await IncidentApiSeed.OpenAsync(fixture.App, "alert-requests");
        var due = new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero);
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();

        var email = await AlertOutbox.AddFollowUpDueAsync(db, new RequestAlertFacts(5, id, "microsoft", "web-form", due.AddDays(-2), due), due, Ct);
        var overdue = await AlertOutbox.AddReplyOverdueAsync(db, new RequestAlertFacts(5, id, "microsoft", "email", due.AddDays(-2), due, "Delisting", "tosa@example"), due, Ct);
        var expiry = await AlertOutbox.AddFollowUpDueAsync(db, new RequestAlertFacts(6, id, "uceprotect", "auto-expiry", due.AddDays(-7), due), due, Ct);
        var self = await AlertOutbox.AddReplyOverdueAsync(db, new RequestAlertFacts(7, id, "spamhaus", "self-service", due.AddDays(-2), due), due, Ct);
        await db.SaveChangesAsync(Ct);

        Assert.Equal((true, true, false, false), (email, overdue, expiry, self));
        var alerts = await AlertsOfAsync(id);
        Assert.Equal([AlertKinds.FollowUpDue, AlertKinds.ReplyOverdue], alerts.Select(a => a.Kind));
        Assert.Equal("Follow up request #5 to microsoft (incident #" + id + ", 192.0.2.1): due 2026-12-08", alerts[0].Summary.Replace(alerts[0].Values, "192.0.2.1", StringComparison.Ordinal));
        Assert.Contains("sent 2026-12-06 to tosa@example", alerts[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dispatcher_makes_deliveries_of_new_alerts_on_this_database()
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var at = DateTimeOffset.UtcNow;
        db.Alerts.Add(new Alert { Kind = AlertKinds.SweepFailed, At = at, Summary = "dispatcher test", Detail = "No enabled list could be checked." });
        await db.SaveChangesAsync(Ct);

        await scope.ServiceProvider.GetRequiredService<AlertDispatcher>().RunAsync(Ct);

        Assert.False(await db.Alerts.AnyAsync(a => a.FannedOutAt == null, Ct)); // no channel here: made into no delivery, but done
    }

    [Fact]
    public async Task A_test_alert_with_no_channel_configured_says_what_to_set()
    {
        using var api = fixture.App.Api();

        var response = await api.PostAsync("/api/alerts/test", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("Postmaster:Smtp:Host", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_removes_finished_deliveries_and_alerts_past_outbox_days_and_keeps_what_is_still_being_tried()
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var old = DateTimeOffset.UtcNow.AddDays(-31);
        var oldAlert = new Alert { Kind = AlertKinds.SweepFailed, At = old, Summary = "retention-old", FannedOutAt = old };
        var keptAlert = new Alert { Kind = AlertKinds.SweepFailed, At = old, Summary = "retention-kept", FannedOutAt = old };
        db.Alerts.AddRange(oldAlert, keptAlert);
        var sent = new AlertDelivery { Key = Guid.NewGuid().ToString(), Channel = AlertChannel.Email, Target = "a@x.test", State = DeliveryState.Sent, CreatedAt = old, Kind = "sweep-failed" };
        // Its next attempt an hour away, as a retrying delivery's is: the fixture app's own delivery job leaves it alone meanwhile.
        var retrying = new AlertDelivery
        {
            Key = Guid.NewGuid().ToString(),
            Channel = AlertChannel.Email,
            Target = "b@x.test",
            State = DeliveryState.Retrying,
            CreatedAt = old,
            Kind = "sweep-failed",
            Attempts = 3,
            NextAttemptAt = DateTimeOffset.UtcNow.AddHours(1),
        };

        // Deliveries and their items in one transaction, as the dispatcher writes them: never seen without their alerts.
        await using (var transaction = await db.Database.BeginTransactionAsync(Ct))
        {
            db.AlertDeliveries.AddRange(sent, retrying);
            await db.SaveChangesAsync(Ct);
            db.AlertDeliveryItems.AddRange(new AlertDeliveryItem { DeliveryId = sent.Id, AlertId = oldAlert.Id }, new AlertDeliveryItem { DeliveryId = retrying.Id, AlertId = keptAlert.Id });
            await db.SaveChangesAsync(Ct);
            await transaction.CommitAsync(Ct);
        }

        await ActivatorUtilities.CreateInstance<AlertRetentionJob>(scope.ServiceProvider).PruneAsync(Ct);

        Assert.False(await db.AlertDeliveries.AnyAsync(d => d.Id == sent.Id, Ct));
        Assert.True(await db.AlertDeliveries.AnyAsync(d => d.Id == retrying.Id, Ct));
        Assert.False(await db.Alerts.AnyAsync(a => a.Id == oldAlert.Id, Ct));
        Assert.True(await db.Alerts.AnyAsync(a => a.Id == keptAlert.Id, Ct));
    }
}

public sealed class SqliteAlertOutboxTests(SqliteAppFixture fixture) : AlertOutboxContract(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresAlertOutboxTests(PostgresAppFixture fixture) : AlertOutboxContract(fixture), IClassFixture<PostgresAppFixture>;
