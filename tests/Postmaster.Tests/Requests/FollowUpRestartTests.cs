using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Requests;

/// <summary>
/// Follow-ups live in a column, not in timers: a follow-up that falls due while the app is down is
/// announced once by the next start (timeline line and alert), on SQLite with the in-memory scheduler store.
/// </summary>
public sealed class FollowUpRestartTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly string _data = Directory.CreateTempSubdirectory("postmaster-follow-up-").FullName;
    private readonly TemplateFolder _templates = RequestTestTemplates.Create();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
        _templates.Dispose();
    }

    private PostmasterApp Start() => PostmasterApp.Sqlite(_data, settings: new Dictionary<string, string?>
    {
        ["Postmaster:TemplatesDirectory"] = _templates.Root,
        ["Postmaster:Requests:FollowUpScanSeconds"] = "1",
    });

    [Fact]
    public async Task A_follow_up_that_falls_due_while_the_app_is_down_is_announced_once_after_the_restart()
    {
        long id, incidentId;
        DateTimeOffset followUpAt;
        await using (var first = Start())
        {
            var incident = await RequestSeed.MicrosoftAsync(first);
            incidentId = incident.Id;
            using var api = first.Api();
            using var drafted = await api.PostAsJsonAsync($"/api/incidents/{incident.Id}/requests", new { template = RequestTestTemplates.MicrosoftForm }, Ct);
            id = (await drafted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
            followUpAt = DateTimeOffset.UtcNow.AddSeconds(6);
            using var submitted = await api.PatchAsJsonAsync($"/api/requests/{id}", new { status = "submitted", followUpAt }, Ct);
            Assert.True(submitted.IsSuccessStatusCode);
            Assert.Equal(0, await Announced(first, id));

            // The first app stops before the follow-up's time: only the second can announce it.
            Assert.True(DateTimeOffset.UtcNow < followUpAt.AddSeconds(-1), "The machine is too slow for this test's timing: the follow-up fell due before the first app stopped.");
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var down = followUpAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        if (down > TimeSpan.Zero)
        {
            await Task.Delay(down, Ct); // it falls due while nothing runs
        }

        await using var second = Start();
        _ = second.Services;
        var clock = Stopwatch.StartNew();
        while (await Announced(second, id) == 0)
        {
            Assert.True(clock.Elapsed < Wait, $"The follow-up of request {id} was not announced within {Wait.TotalSeconds:0} s after the restart.\n{string.Join('\n', second.Logs)}");
            await Task.Delay(200, Ct);
        }

        await Task.Delay(TimeSpan.FromSeconds(3), Ct); // three more scans
        Assert.Equal(1, await Announced(second, id));
        var line = await RequestSeed.ReadAsync(second, db => db.IncidentTimeline.AsNoTracking().SingleAsync(t => t.IncidentId == incidentId && t.Kind == "reply-overdue", Ct));
        Assert.StartsWith($"Request #{id}: no answer from microsoft since", line.Detail, StringComparison.Ordinal);
        Assert.Equal("system", line.Actor);
        var alerts = await RequestSeed.ReadAsync(second, db => db.Alerts.AsNoTracking().Where(a => a.SubjectKey == $"request:{id}").ToListAsync(Ct));
        var alert = Assert.Single(alerts); // written once, with the announcement, for the alert delivery to send
        Assert.Equal("reply-overdue", alert.Kind);
        Assert.Equal(incidentId, alert.IncidentId);
        using var api2 = second.Api();
        var due = await ApiPages.AllAsync(api2, "/api/requests?due=true", ct: Ct);
        Assert.Contains(due, r => r.GetProperty("id").GetInt64() == id);
    }

    private static Task<int> Announced(PostmasterApp app, long id) =>
        RequestSeed.ReadAsync(app, db => db.RequestEvents.AsNoTracking().CountAsync(e => e.RequestId == id && e.Kind == "reply-overdue", Ct));
}
