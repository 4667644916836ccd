using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Postmaster.Core.Requests;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Organisation;

namespace Postmaster.Tests.Requests;

/// <summary>PRODUCT.md's request calls, end to end on SQLite: templates best first, drafting, tracking, and how the incident follows.</summary>
public sealed class RequestApiTests(RequestAppFixture fixture) : IClassFixture<RequestAppFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostmasterApp App => fixture.App;

    [Fact]
    public async Task The_templates_of_an_incident_come_best_first()
    {
        var incident = await RequestSeed.MicrosoftAsync(App);
        using var api = App.Api();

        var templates = await api.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident.Id}/templates", Ct);

        Assert.Equal([RequestTestTemplates.MicrosoftForm, RequestTestTemplates.MicrosoftEmail, "generic/explain"],
            templates.EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        var first = templates[0];
        Assert.Equal("mitigate", first.GetProperty("kind").GetString());
        Assert.Equal("web-form", first.GetProperty("channel").GetString());
        Assert.Equal("Test: ask to lift a block", first.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/incidents/987654321/templates", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_draft_takes_the_best_fit_carries_the_evidence_lists_missing_facts_and_moves_the_incident_to_requested()
    {
        await RequestSeed.ProfileAsync(App, RequestSeed.EmptyProfile); // another test of the class may have filled it
        var incident = await RequestSeed.MicrosoftAsync(App);
        using var api = App.Api();

        using var response = await api.PostAsJsonAsync($"/api/incidents/{incident.Id}/requests", new { }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var draft = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal($"/api/requests/{draft.GetProperty("id").GetInt64()}", response.Headers.Location?.OriginalString);
        Assert.Equal(RequestTestTemplates.MicrosoftForm, draft.GetProperty("template").GetString());
        Assert.Equal("draft", draft.GetProperty("status").GetString());
        Assert.Equal($"https://olcsupport.office.com/?ip={incident.GroupValue}", draft.GetProperty("formUrl").GetString());
        Assert.Equal(JsonValueKind.Null, draft.GetProperty("to").ValueKind);
        var fields = draft.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("value").GetString());
        Assert.Equal(incident.GroupValue, fields["ips"]);
        Assert.Contains("(S3150)", fields["error"], StringComparison.Ordinal);
        Assert.Equal(["company", "contactEmail", "streams"], draft.GetProperty("missingFacts").EnumerateArray().Select(f => f.GetString()));

        var after = await api.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident.Id}", Ct);
        Assert.Equal("requested", after.GetProperty("state").GetString());
        var timeline = after.GetProperty("timeline").EnumerateArray().Select(t => $"{t.GetProperty("kind").GetString()}|{t.GetProperty("actor").GetString()}|{t.GetProperty("detail").GetString()}").ToList();
        Assert.Contains(timeline, t => t.StartsWith("request-drafted|key:", StringComparison.Ordinal) && t.Contains($"Request #{draft.GetProperty("id").GetInt64()}: drafted from {RequestTestTemplates.MicrosoftForm}", StringComparison.Ordinal));
        Assert.Contains(timeline, t => t.StartsWith("state|", StringComparison.Ordinal) && t.EndsWith("State open → requested.", StringComparison.Ordinal));
        var audited = await RequestSeed.ReadAsync(App, db => db.AuditEntries.Where(a => a.Target == $"request {draft.GetProperty("id").GetInt64()}").Select(a => a.Action).ToListAsync(Ct));
        Assert.Equal(["request-drafted"], audited);
    }

    [Fact]
    public async Task A_draft_fills_the_facts_the_profile_holds()
    {
        var incident = await RequestSeed.MicrosoftAsync(App);
        await RequestSeed.ProfileAsync(App, new OrganisationInput("Example Mail GmbH", "https://www.example.com", null, "Jane Operator", "jane@example.com", null, null, null,
            "Double opt-in", null, null, null, [new MailStreamEntry("transactional", "Receipts", 12_000, new() { ["microsoft"] = 3_000 })], ["Microsoft SNDS"]));
        using var api = App.Api();

        using var response = await api.PostAsJsonAsync($"/api/incidents/{incident.Id}/requests", new { template = RequestTestTemplates.MicrosoftEmail, @fixed = "Removed the hacked account." }, Ct);
        var draft = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("email", draft.GetProperty("channel").GetString());
        Assert.Equal("delist@messaging.microsoft.com", draft.GetProperty("to").GetString());
        Assert.Equal($"Delist {incident.GroupValue} (Example Mail GmbH)", draft.GetProperty("subject").GetString());
        Assert.Contains("Fixed: Removed the hacked account.\n\nJane Operator", draft.GetProperty("body").GetString(), StringComparison.Ordinal);
        Assert.Empty(draft.GetProperty("missingFacts").EnumerateArray());
        Assert.Empty(draft.GetProperty("fields").EnumerateArray());
    }

    [Fact]
    public async Task Evidence_holding_liquid_reaches_the_draft_verbatim()
    {
        const string hostile = "550 5.7.1 {{ org.company }} {% for i in (1..3) %}{{ i }}{% endfor %} (S3150)";
        var incident = await RequestSeed.MicrosoftAsync(App, response: hostile);
        using var api = App.Api();

        using var response = await api.PostAsJsonAsync($"/api/incidents/{incident.Id}/requests", new { template = RequestTestTemplates.MicrosoftEmail }, Ct);
        var draft = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Contains($"outlook-com.olc.protection.outlook.com:\n{hostile}\n", draft.GetProperty("body").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_template_is_a_400_that_names_the_ones_that_serve_the_incident()
    {
        var incident = await RequestSeed.MicrosoftAsync(App);
        using var api = App.Api();

        using var response = await api.PostAsJsonAsync($"/api/incidents/{incident.Id}/requests", new { template = "microsoft/nope" }, Ct);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"{RequestTestTemplates.MicrosoftForm}, {RequestTestTemplates.MicrosoftEmail}, generic/explain", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submitted_sets_the_follow_up_in_business_days_and_the_incident_awaits_a_reply_a_denial_reopens_it()
    {
        var incident = await RequestSeed.MicrosoftAsync(App);
        using var api = App.Api();
        var id = await DraftAsync(api, incident.Id, RequestTestTemplates.MicrosoftForm);

        var submitted = await PatchAsync(api, id, new { status = "submitted", reference = "SRX1234567" });

        Assert.Equal("submitted", submitted.GetProperty("status").GetString());
        var at = submitted.GetProperty("submittedAt").GetDateTimeOffset();
        Assert.Equal(BusinessDays.Add(at, 2), submitted.GetProperty("followUpAt").GetDateTimeOffset());
        Assert.Equal("SRX1234567", submitted.GetProperty("reference").GetString());
        Assert.Equal("awaiting-reply", await StateAsync(api, incident.Id));

        var replied = await PatchAsync(api, id, new { replyText = "Your IP does not qualify for mitigation at this time." });
        Assert.Equal("replied", replied.GetProperty("status").GetString());
        Assert.Equal("awaiting-reply", await StateAsync(api, incident.Id));

        var denied = await PatchAsync(api, id, new { status = "denied" });
        Assert.Equal("denied", denied.GetProperty("status").GetString());
        Assert.Equal("open", await StateAsync(api, incident.Id));
        var timeline = (await api.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident.Id}", Ct)).GetProperty("timeline").EnumerateArray()
            .Select(t => t.GetProperty("kind").GetString() + ": " + t.GetProperty("detail").GetString()).ToList();
        Assert.Contains(timeline, t => t.StartsWith($"request-replied: Request #{id}: the provider replied: \"Your IP does not qualify", StringComparison.Ordinal));
        Assert.Contains(timeline, t => t.StartsWith($"request-denied: Request #{id}: denied. Next: read the reply", StringComparison.Ordinal));
        Assert.Contains(timeline, t => t == $"request-reference: Request #{id}: provider reference SRX1234567.");
    }

    [Fact]
    public async Task Accepted_alone_resolves_nothing()
    {
        var incident = await RequestSeed.MicrosoftAsync(App);
        using var api = App.Api();
        var id = await DraftAsync(api, incident.Id, RequestTestTemplates.MicrosoftForm);
        await PatchAsync(api, id, new { status = "submitted", followUpAt = "2030-01-02T09:00:00Z" });

        var accepted = await PatchAsync(api, id, new { status = "accepted", note = "Mitigation granted by the Outlook.com desk." });

        Assert.Equal("accepted", accepted.GetProperty("status").GetString());
        Assert.Equal("awaiting-reply", await StateAsync(api, incident.Id));
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 9, 0, 0, TimeSpan.Zero), accepted.GetProperty("followUpAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task An_auto_expiry_wait_follows_up_at_the_lists_expiry()
    {
        var incident = await RequestSeed.UceprotectAsync(App);
        using var api = App.Api();
        var id = await DraftAsync(api, incident.Id, null);

        var submitted = await PatchAsync(api, id, new { status = "submitted" });

        Assert.Equal(RequestTestTemplates.UceprotectWait, submitted.GetProperty("template").GetString());
        Assert.Equal("auto-expiry", submitted.GetProperty("channel").GetString());
        Assert.Equal(submitted.GetProperty("submittedAt").GetDateTimeOffset().AddHours(168), submitted.GetProperty("followUpAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Steps_a_request_cannot_take_are_409_and_bad_input_400()
    {
        var incident = await RequestSeed.MicrosoftAsync(App);
        using var api = App.Api();
        var id = await DraftAsync(api, incident.Id, RequestTestTemplates.MicrosoftForm);

        using var accepted = await api.PatchAsJsonAsync($"/api/requests/{id}", new { status = "accepted" }, Ct);
        using var unknown = await api.PatchAsJsonAsync($"/api/requests/{id}", new { status = "lost" }, Ct);
        using var nothing = await api.PatchAsJsonAsync($"/api/requests/{id}", new { }, Ct);
        using var field = await api.PatchAsJsonAsync($"/api/requests/{id}", new { state = "submitted" }, Ct);
        using var form = await api.PostAsync($"/api/requests/{id}/send", null, Ct);

        Assert.Equal(HttpStatusCode.Conflict, accepted.StatusCode);
        Assert.Contains("still a draft", (await accepted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, nothing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, field.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, form.StatusCode);
        Assert.Contains("mark it submitted", (await form.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", accepted.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_list_pages_filters_by_status_and_finds_one_incidents_requests()
    {
        var incident = await RequestSeed.MicrosoftAsync(App);
        using var api = App.Api();
        var first = await DraftAsync(api, incident.Id, RequestTestTemplates.MicrosoftForm);
        var second = await DraftAsync(api, incident.Id, RequestTestTemplates.MicrosoftEmail);
        await PatchAsync(api, first, new { status = "submitted" });

        var mine = await ApiPages.AllAsync(api, $"/api/requests?incidentId={incident.Id}", limit: 1, ct: Ct);
        var submitted = await ApiPages.AllAsync(api, "/api/requests?status=submitted,replied", ct: Ct);
        using var bad = await api.GetAsync("/api/requests?status=sent", Ct);

        Assert.Equal([second, first], mine.Select(r => r.GetProperty("id").GetInt64()));
        Assert.Contains(submitted, r => r.GetProperty("id").GetInt64() == first);
        Assert.DoesNotContain(submitted, r => r.GetProperty("id").GetInt64() == second);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Due_lists_the_submitted_requests_whose_follow_up_has_come()
    {
        var incident = await RequestSeed.MicrosoftAsync(App);
        using var api = App.Api();
        var overdue = await DraftAsync(api, incident.Id, RequestTestTemplates.MicrosoftForm);
        var later = await DraftAsync(api, incident.Id, RequestTestTemplates.MicrosoftEmail);
        await PatchAsync(api, overdue, new { status = "submitted", followUpAt = "2020-01-01T00:00:00Z" });
        await PatchAsync(api, later, new { status = "submitted", followUpAt = "2099-01-01T00:00:00Z" });

        var due = await ApiPages.AllAsync(api, "/api/requests?due=true", ct: Ct);

        Assert.Contains(due, r => r.GetProperty("id").GetInt64() == overdue && r.GetProperty("followUpDue").GetBoolean());
        Assert.DoesNotContain(due, r => r.GetProperty("id").GetInt64() == later);
    }

    private static async Task<long> DraftAsync(HttpClient api, long incident, string? template)
    {
        using var response = await api.PostAsJsonAsync($"/api/incidents/{incident}/requests", new { template }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
    }

    private static async Task<JsonElement> PatchAsync(HttpClient api, long id, object change)
    {
        using var response = await api.PatchAsJsonAsync($"/api/requests/{id}", change, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private static async Task<string?> StateAsync(HttpClient api, long incident) =>
        (await api.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident}", Ct)).GetProperty("state").GetString();
}
