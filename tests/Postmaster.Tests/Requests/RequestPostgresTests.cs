using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Organisation;
using Postmaster.Web.Requests;

namespace Postmaster.Tests.Requests;

/// <summary>The request flow on PostgreSQL: the profile, a draft, tracking, the due list and the follow-up scan.</summary>
public sealed class RequestPostgresTests(PostgresCluster cluster) : IDisposable
{
    private readonly TemplateFolder _templates = RequestTestTemplates.Create();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _templates.Dispose();

    [Fact]
    public async Task A_request_is_drafted_tracked_and_falls_due_on_postgresql()
    {
        Requirement.Require(cluster.UnavailableReason);
        await using var app = PostmasterApp.Postgres(await cluster.CreateDatabaseAsync("requests"), settings: new Dictionary<string, string?>
        {
            ["Postmaster:TemplatesDirectory"] = _templates.Root,
            ["Postmaster:Requests:FollowUpScanSeconds"] = "3600",
        });
        var incident = await RequestSeed.MicrosoftAsync(app);
        await RequestSeed.ProfileAsync(app, new OrganisationInput("Example Mail GmbH", null, null, null, "jane@example.com", null, null, null, null, null, null, null,
            [new MailStreamEntry("marketing", "Newsletter", 50_000, new() { ["microsoft"] = 10_000 })], []));
        using var api = app.Api();

        using var drafted = await api.PostAsJsonAsync($"/api/incidents/{incident.Id}/requests", new { }, Ct);
        var draft = await drafted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(HttpStatusCode.Created, drafted.StatusCode);
        var id = draft.GetProperty("id").GetInt64();
        Assert.Equal("10000", draft.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "volume").GetProperty("value").GetString());
        Assert.Empty(draft.GetProperty("missingFacts").EnumerateArray());

        (await api.PatchAsJsonAsync($"/api/requests/{id}", new { status = "submitted", followUpAt = "2021-03-01T10:00:00Z" }, Ct)).EnsureSuccessStatusCode();
        Assert.Contains(await ApiPages.AllAsync(api, "/api/requests?due=true", ct: Ct), r => r.GetProperty("id").GetInt64() == id);

        await using var scope = app.Services.CreateAsyncScope();
        var followUps = scope.ServiceProvider.GetRequiredService<RequestFollowUps>();
        var due = await followUps.ScanAsync(Ct);
        var again = await followUps.ScanAsync(Ct);

        Assert.Contains(due, d => d.RequestId == id && d.AlertKind == "reply-overdue");
        Assert.DoesNotContain(again, d => d.RequestId == id);
        var db = scope.ServiceProvider.GetRequiredService<Postmaster.Web.Infrastructure.Database.PostmasterDbContext>();
        Assert.Equal(1, await db.IncidentTimeline.CountAsync(t => t.IncidentId == incident.Id && t.Kind == "reply-overdue", Ct));
        Assert.Equal("awaiting-reply", (await api.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident.Id}", Ct)).GetProperty("state").GetString());
    }
}
