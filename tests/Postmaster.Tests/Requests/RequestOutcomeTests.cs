using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Incidents;
using Postmaster.Core.Requests;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Requests;

namespace Postmaster.Tests.Requests;

/// <summary>What requests came to, per provider and kind, counted from what is stored: sent, accepted, denied, median to the block ending.</summary>
public sealed class RequestOutcomeTests(RequestAppFixture fixture) : IClassFixture<RequestAppFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Outcomes_count_sent_accepted_denied_and_the_median_hours_until_the_incident_resolved()
    {
        var app = fixture.App;
        var accepted30 = await SubmittedAsync(app, "accepted");
        var accepted20 = await SubmittedAsync(app, "accepted");
        await SubmittedAsync(app, "denied");
        await SubmittedAsync(app, null);
        await ResolveAsync(app, accepted30, TimeSpan.FromHours(30));
        await ResolveAsync(app, accepted20, TimeSpan.FromHours(20));

        await using var scope = app.Services.CreateAsyncScope();
        var outcomes = await scope.ServiceProvider.GetRequiredService<RequestQueries>().OutcomesAsync(null, Ct);

        var microsoft = Assert.Single(outcomes, o => o.Provider == "microsoft");
        Assert.Equal(RequestKind.Mitigate, microsoft.Kind);
        Assert.Equal("4 requests, 2 accepted, 1 denied, median 25 h", microsoft.Summary());
    }

    /// <summary>A submitted request on an incident of its own, then accepted or denied; returns the request id.</summary>
    private static async Task<long> SubmittedAsync(PostmasterApp app, string? then)
    {
        var incident = await RequestSeed.MicrosoftAsync(app);
        using var api = app.Api();
        using var drafted = await api.PostAsJsonAsync($"/api/incidents/{incident.Id}/requests", new { template = RequestTestTemplates.MicrosoftForm }, Ct);
        var id = (await drafted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        (await api.PatchAsJsonAsync($"/api/requests/{id}", new { status = "submitted" }, Ct)).EnsureSuccessStatusCode();
        if (then is not null)
        {
            (await api.PatchAsJsonAsync($"/api/requests/{id}", new { status = then }, Ct)).EnsureSuccessStatusCode();
        }

        return id;
    }

    /// <summary>The incident resolving on clean checks <paramref name="after"/> the request went out, as the engine records it.</summary>
    private static async Task ResolveAsync(PostmasterApp app, long requestId, TimeSpan after)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Postmaster.Web.Infrastructure.Database.PostmasterDbContext>();
        var request = await db.Requests.SingleAsync(r => r.Id == requestId, Ct);
        var incident = await db.Incidents.SingleAsync(i => i.Id == request.IncidentId, Ct);
        (incident.State, incident.ClosedAt, incident.ActiveMarker) = (IncidentState.Resolved, request.SubmittedAt!.Value + after, null);
        await db.SaveChangesAsync(Ct);
    }
}
