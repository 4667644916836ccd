using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Tests.Incidents;

/// <summary>
/// PRODUCT.md's incident API, once per database: incidents a real sweep against rbldnsd opened (with
/// Yahoo's rejections citing Spamhaus joined to one of them), and incidents seeded for volume.
/// </summary>
public abstract class IncidentApiFixture : IAsyncLifetime
{
    public const int PagedIncidents = 250;

    private RbldnsdServer? _dns;

    public PostmasterApp App { get; private set; } = null!;

    /// <summary>A responder's key (the owner, the admin, has more): the changes tests make are a responder's.</summary>
    public string ResponderKey { get; private set; } = "";

    public string ViewerKey { get; private set; } = "";

    public virtual string? UnavailableReason => RbldnsdServer.UnavailableReason;

    protected abstract Task<PostmasterApp> StartAppAsync(Dictionary<string, string?> settings);

    public async ValueTask InitializeAsync()
    {
        if (UnavailableReason is not null && !Requirement.InCi)
        {
            return; // each test then skips with the reason
        }

        _dns = await RbldnsdServer.StartAsync(SweepScenario.Zones());
        App = await StartAppAsync(SweepScenario.Settings(_dns.EndPoint));
        await SweepScenario.EnableOnlyAsync(App, SweepScenario.Lists);
        using var api = App.Api();
        await SweepScenario.AddAssetsAsync(api, SweepScenario.Assets);
        await SweepScenario.SweepAsync(api);
        await RejectionsCitingSpamhausAsync(api);
        await IncidentDb.CatchUpAsync(App);
        await IncidentApiSeed.PagingAsync(App, PagedIncidents);
        ResponderKey = await App.CreateApiKeyAsync(Roles.Responder);
        ViewerKey = await App.CreateApiKeyAsync(Roles.Viewer);
    }

    /// <summary>Yahoo refusing 203.0.113.5 (inside the swept /28) because Spamhaus lists it: three rejections open an episode.</summary>
    private static async Task RejectionsCitingSpamhausAsync(HttpClient api)
    {
        var now = DateTimeOffset.UtcNow;
        var outcomes = Enumerable.Range(1, 3).Select(i => new
        {
            status = "bounced",
            time = now.AddSeconds(i - 3),
            sourceIp = "203.0.113.5",
            recipient = $"reader{i}@yahoo.com",
            recipientDomain = "yahoo.com",
            mx = "mta5.am0.yahoodns.net",
            smtpCode = 553,
            enhancedCode = "5.7.1",
            response = "553 5.7.1 [BL21] Connections will not be accepted from 203.0.113.5, because the ip is in Spamhaus's list; see http://postmaster.yahoo.com/550-bl23.html",
        });
        var ingested = await api.PostAsJsonAsync("/api/signals", outcomes);
        Assert.Equal(HttpStatusCode.Accepted, ingested.StatusCode);
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    protected virtual async ValueTask DisposeCoreAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }

        if (_dns is not null)
        {
            await _dns.DisposeAsync();
        }
    }
}

public abstract class IncidentApiContract(IncidentApiFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostmasterApp App
    {
        get
        {
            Requirement.Require(fixture.UnavailableReason);
            return fixture.App;
        }
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private async Task<JsonElement> GetAsync(string path, string? key = null)
    {
        using var api = App.Api(key ?? PostmasterApp.AdminKey);
        using var response = await api.GetAsync(path, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private async Task<List<JsonElement>> AllAsync(string path, int limit = 1000)
    {
        using var api = App.Api();
        return await ApiPages.AllAsync(api, path, limit, Ct);
    }

    /// <summary>The pages of a list from a cursor on, as a client continues from a detail's affectedNext or timelineNext.</summary>
    private async Task<List<JsonElement>> FromAsync(string path, string? cursor, int limit)
    {
        var all = new List<JsonElement>();
        while (cursor is not null)
        {
            var page = await GetAsync($"{path}?limit={limit}&cursor={Uri.EscapeDataString(cursor)}");
            all.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("next").GetString();
        }

        return all;
    }

    private async Task<JsonElement> SweptAsync(string provider, string group) =>
        Assert.Single(await AllAsync($"/api/incidents?provider={provider}"), i => i.GetProperty("assetGroup").GetProperty("value").GetString() == group);

    private async Task<HttpResponseMessage> PatchAsync(long id, object body, string? key = null)
    {
        using var api = App.Api(key ?? fixture.ResponderKey);
        return await api.PatchAsJsonAsync($"/api/incidents/{id}", body, Ct);
    }

    private async Task<HttpResponseMessage> PatchRawAsync(long id, string json)
    {
        using var api = App.Api(fixture.ResponderKey);
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await api.PatchAsync($"/api/incidents/{id}", content, Ct);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    /// <summary>How many of the seeded paging incidents the database holds under a condition.</summary>
    private async Task<int> StoredAsync(Func<IQueryable<Incident>, IQueryable<Incident>> where) =>
        (await IncidentDb.QueryAsync(App, db => where(db.Incidents.Where(i => i.Provider == IncidentApiSeed.PagingProvider)).Select(i => i.Id))).Count;

    [Fact]
    public async Task A_listed_domain_is_one_incident_with_every_field_of_the_list_contract()
    {
        var assets = await AllAsync("/api/assets");
        var phishy = assets.Single(a => a.GetProperty("value").GetString() == "phishy.example").GetProperty("id").GetInt64();

        var item = Assert.Single((await GetAsync("/api/incidents?provider=surbl")).GetProperty("items").EnumerateArray());

        Assert.Equal(
            ["affectedCount", "assetGroup", "assignee", "citedBy", "id", "lastActivityAt", "openedAt", "provider", "severity", "state"],
            item.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("surbl", item.GetProperty("provider").GetString());
        var group = item.GetProperty("assetGroup");
        Assert.Equal("phishy.example", group.GetProperty("value").GetString());
        Assert.Equal(phishy, group.GetProperty("assetId").GetInt64());
        Assert.True(group.GetProperty("inInventory").GetBoolean());
        Assert.Equal(JsonValueKind.Null, group.GetProperty("label").ValueKind);
        Assert.Equal("open", item.GetProperty("state").GetString());
        Assert.Contains(item.GetProperty("severity").GetString(), new[] { "critical", "high", "medium", "low" });
        Assert.Equal(JsonValueKind.Null, item.GetProperty("assignee").ValueKind);
        Assert.Equal(1, item.GetProperty("affectedCount").GetInt64());
        Assert.Empty(Strings(item.GetProperty("citedBy")));
        Assert.True(item.GetProperty("openedAt").GetDateTimeOffset() <= item.GetProperty("lastActivityAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task An_incident_names_the_receivers_whose_rejections_cited_its_list()
    {
        var range = await SweptAsync("spamhaus", "203.0.113.0/28");

        Assert.Equal(["yahoo"], Strings(range.GetProperty("citedBy")));
        Assert.Equal(3, range.GetProperty("affectedCount").GetInt64());
    }

    [Fact]
    public async Task Active_true_lists_open_requested_and_awaiting_reply_incidents_only()
    {
        var items = await AllAsync($"/api/incidents?active=true&provider={IncidentApiSeed.PagingProvider}");

        Assert.Equal(["awaiting-reply", "open", "requested"], items.Select(i => i.GetProperty("state").GetString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(await StoredAsync(q => q.Where(i => i.ActiveMarker == 1)), items.Count);
    }

    [Fact]
    public async Task Active_false_lists_resolved_and_wont_fix_incidents_only()
    {
        var items = await AllAsync($"/api/incidents?active=false&provider={IncidentApiSeed.PagingProvider}");

        Assert.Equal(["resolved", "wont-fix"], items.Select(i => i.GetProperty("state").GetString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(await StoredAsync(q => q.Where(i => i.ActiveMarker == null)), items.Count);
    }

    [Fact]
    public async Task State_takes_several_states_comma_separated()
    {
        var items = await AllAsync($"/api/incidents?state=requested,%20wont-fix&provider={IncidentApiSeed.PagingProvider}");

        Assert.Equal(["requested", "wont-fix"], items.Select(i => i.GetProperty("state").GetString()).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(await StoredAsync(q => q.Where(i => i.State == IncidentState.Requested || i.State == IncidentState.WontFix)), items.Count);
    }

    [Fact]
    public async Task Provider_lists_that_providers_incidents_only()
    {
        var items = await AllAsync("/api/incidents?provider=spamhaus");

        Assert.Equal(
            ["2001:db8::25", "203.0.113.0/28", "spammy.example"],
            items.Select(i => i.GetProperty("assetGroup").GetProperty("value").GetString()).Order(StringComparer.Ordinal));
        Assert.All(items, i => Assert.Equal("spamhaus", i.GetProperty("provider").GetString()));
    }

    [Fact]
    public async Task Severity_lists_incidents_of_that_severity_only()
    {
        var items = await AllAsync($"/api/incidents?severity=critical&provider={IncidentApiSeed.PagingProvider}");

        Assert.All(items, i => Assert.Equal("critical", i.GetProperty("severity").GetString()));
        Assert.Equal(await StoredAsync(q => q.Where(i => i.Severity == IncidentSeverity.Critical)), items.Count);
    }

    [Fact]
    public async Task Assignee_lists_a_users_incidents_whatever_the_case_of_the_email()
    {
        var items = await AllAsync($"/api/incidents?assignee=ADMIN@Postmaster.Test&provider={IncidentApiSeed.PagingProvider}");

        Assert.All(items, i => Assert.Equal(PostmasterApp.AdminEmail, i.GetProperty("assignee").GetString()));
        Assert.Equal(IncidentApiFixture.PagedIncidents / 10, items.Count);
    }

    [Theory]
    [InlineData("active=yes", "true")]
    [InlineData("state=open,closed", "awaiting-reply")]
    [InlineData("severity=urgent", "critical")]
    public async Task A_filter_value_the_list_does_not_take_is_a_400_that_names_the_values_it_takes(string query, string allowed)
    {
        using var api = App.Api();

        var problem = await ProblemAsync(await api.GetAsync($"/api/incidents?{query}", Ct), HttpStatusCode.BadRequest);

        Assert.Contains(allowed, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(allowed, Strings(problem.GetProperty("allowed")));
    }

    [Fact]
    public async Task Pages_walk_every_incident_exactly_once_newest_activity_first()
    {
        var stored = await IncidentDb.QueryAsync(App, db => db.Incidents.Where(i => i.Provider == IncidentApiSeed.PagingProvider).Select(i => new { i.Id, i.LastActivityAt }));
        var expected = stored.OrderByDescending(i => i.LastActivityAt).ThenByDescending(i => i.Id).Select(i => i.Id).ToList();

        var walked = await AllAsync($"/api/incidents?provider={IncidentApiSeed.PagingProvider}", limit: 7);

        Assert.Equal(IncidentApiFixture.PagedIncidents, expected.Count);
        Assert.Equal(expected, walked.Select(i => i.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task The_detail_adds_closing_time_pinning_affected_values_evidence_and_timeline_to_the_list_fields()
    {
        var item = await SweptAsync("spamhaus", "203.0.113.0/28");

        var detail = await GetAsync($"/api/incidents/{item.GetProperty("id").GetInt64()}");

        foreach (var field in item.EnumerateObject())
        {
            Assert.Equal(field.Value.GetRawText(), detail.GetProperty(field.Name).GetRawText());
        }

        Assert.Equal(JsonValueKind.Null, detail.GetProperty("closedAt").ValueKind);
        Assert.False(detail.GetProperty("severityPinned").GetBoolean());
        Assert.Equal(3, detail.GetProperty("affected").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("affectedNext").ValueKind);
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("timelineNext").ValueKind);
    }

    [Fact]
    public async Task Affected_values_say_what_each_list_or_receiver_said_and_since_when()
    {
        var id = (await SweptAsync("spamhaus", "203.0.113.0/28")).GetProperty("id").GetInt64();

        var affected = (await GetAsync($"/api/incidents/{id}")).GetProperty("affected").EnumerateArray().ToList();

        var listed = Assert.Single(affected, v => v.GetProperty("value").GetString() == "203.0.113.9");
        Assert.Equal("zen.spamhaus.org", listed.GetProperty("source").GetString());
        Assert.Equal("listing", listed.GetProperty("basis").GetString());
        Assert.True(listed.GetProperty("active").GetBoolean());
        Assert.Equal(["127.0.0.2", "127.0.0.4"], Strings(listed.GetProperty("codes")).Order(StringComparer.Ordinal));
        Assert.Equal(["sbl", "xbl"], Strings(listed.GetProperty("categories")).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("clearedAt").ValueKind);
        Assert.True(listed.GetProperty("firstSeen").GetDateTimeOffset() <= listed.GetProperty("lastSeen").GetDateTimeOffset());
        var refused = Assert.Single(affected, v => v.GetProperty("basis").GetString() == "rejection");
        Assert.Equal("203.0.113.5", refused.GetProperty("value").GetString());
        Assert.Equal("yahoo", refused.GetProperty("source").GetString());
        Assert.Equal(["blocklist"], Strings(refused.GetProperty("categories")));
        Assert.Contains("[BL21]", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evidence_quotes_the_lists_answers_and_the_rejections_copied_into_the_incident()
    {
        var id = (await SweptAsync("spamhaus", "203.0.113.0/28")).GetProperty("id").GetInt64();

        var evidence = (await GetAsync($"/api/incidents/{id}")).GetProperty("evidence");

        var answers = evidence.GetProperty("listings").EnumerateArray().ToList();
        Assert.Equal(["203.0.113.5", "203.0.113.9"], answers.Select(a => a.GetProperty("value").GetString()).Order(StringComparer.Ordinal));
        var answer = answers.Single(a => a.GetProperty("value").GetString() == "203.0.113.5");
        Assert.Equal("zen.spamhaus.org", answer.GetProperty("zone").GetString());
        Assert.Equal(["127.0.0.2"], Strings(answer.GetProperty("codes")));
        Assert.Equal("SBL listing, see https://check.spamhaus.org/query/ip/203.0.113.5", answer.GetProperty("reason").GetString());
        var rejections = evidence.GetProperty("rejections").EnumerateArray().ToList();
        Assert.Equal(3, rejections.Count);
        Assert.All(rejections, r =>
        {
            Assert.Equal("yahoo", r.GetProperty("receiver").GetString());
            Assert.Equal("203.0.113.5", r.GetProperty("sourceIp").GetString());
            Assert.Equal("mta5.am0.yahoodns.net", r.GetProperty("mx").GetString());
            Assert.Equal("blocklist", r.GetProperty("kind").GetString());
            Assert.Equal(553, r.GetProperty("smtpCode").GetInt32());
            Assert.Equal("5.7.1", r.GetProperty("enhancedCode").GetString());
            Assert.StartsWith("553 5.7.1 [BL21] Connections will not be accepted", r.GetProperty("text").GetString(), StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.String, r.GetProperty("at").ValueKind);
        });
    }

    [Fact]
    public async Task The_timeline_ends_with_the_system_opening_the_incident()
    {
        var id = (await SweptAsync("spamhaus", "203.0.113.0/28")).GetProperty("id").GetInt64();

        var timeline = (await GetAsync($"/api/incidents/{id}")).GetProperty("timeline").EnumerateArray().ToList();

        Assert.NotEmpty(timeline);
        Assert.All(timeline, t => Assert.Equal("system", t.GetProperty("actor").GetString()));
        Assert.Equal("opened", timeline[^1].GetProperty("kind").GetString());
        Assert.Contains("zen.spamhaus.org", timeline[^1].GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Affected_values_past_the_first_hundred_page_on_from_affected_next()
    {
        var id = await IncidentApiSeed.OpenAsync(App);
        await IncidentApiSeed.ValuesAsync(App, id, 250);

        var detail = await GetAsync($"/api/incidents/{id}");
        var rest = await FromAsync($"/api/incidents/{id}/affected", detail.GetProperty("affectedNext").GetString(), limit: 60);

        var values = detail.GetProperty("affected").EnumerateArray().Concat(rest).Select(v => v.GetProperty("value").GetString()).ToList();
        Assert.Equal(100, detail.GetProperty("affected").GetArrayLength());
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"198.18.{i / 256}.{i % 256}"), values);
    }

    [Fact]
    public async Task Timeline_lines_past_the_newest_hundred_page_on_from_timeline_next()
    {
        var id = await IncidentApiSeed.OpenAsync(App);
        await IncidentApiSeed.TimelineAsync(App, id, 230);

        var detail = await GetAsync($"/api/incidents/{id}");
        var rest = await FromAsync($"/api/incidents/{id}/timeline", detail.GetProperty("timelineNext").GetString(), limit: 50);

        var lines = detail.GetProperty("timeline").EnumerateArray().Concat(rest).Select(t => t.GetProperty("detail").GetString()).ToList();
        Assert.Equal(100, detail.GetProperty("timeline").GetArrayLength());
        Assert.Equal(Enumerable.Range(1, 230).Reverse().Select(i => $"line {i}"), lines);
    }

    [Theory]
    [InlineData("GET", "/api/incidents/987654321")]
    [InlineData("GET", "/api/incidents/987654321/affected")]
    [InlineData("GET", "/api/incidents/987654321/timeline")]
    [InlineData("PATCH", "/api/incidents/987654321")]
    public async Task An_unknown_incident_is_a_404_problem(string method, string path)
    {
        using var api = App.Api();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "PATCH")
        {
            request.Content = JsonContent.Create(new { note = "anyone there?" });
        }

        var problem = await ProblemAsync(await api.SendAsync(request, Ct), HttpStatusCode.NotFound);

        Assert.Contains("987654321", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_patch_answers_the_changed_incident_as_get_shows_it()
    {
        var id = await IncidentApiSeed.OpenAsync(App);

        var response = await PatchAsync(id, new { state = "awaiting-reply", assignee = "Admin@Postmaster.test", severity = "critical" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var patched = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("awaiting-reply", patched.GetProperty("state").GetString());
        Assert.Equal(PostmasterApp.AdminEmail, patched.GetProperty("assignee").GetString());
        Assert.Equal("critical", patched.GetProperty("severity").GetString());
        Assert.True(patched.GetProperty("severityPinned").GetBoolean());
        Assert.Equal((await GetAsync($"/api/incidents/{id}")).GetRawText(), patched.GetRawText());
    }

    public static readonly TheoryData<string, string, string> Changes = new()
    {
        { """{"state": "requested"}""", "state", "State open → requested." },
        { """{"assignee": "admin@postmaster.test"}""", "assigned", "Assigned to admin@postmaster.test." },
        { """{"severity": "high"}""", "severity", "Severity medium → high, set by hand." },
        { """{"note": "Asked Spamhaus through the removal form."}""", "note", "Asked Spamhaus through the removal form." },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task Each_change_goes_on_the_timeline_and_in_the_audit_trail_with_the_keys_name(string body, string kind, string detail)
    {
        var id = await IncidentApiSeed.OpenAsync(App);

        var response = await PatchRawAsync(id, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var line = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("timeline")[0];
        Assert.Equal(kind, line.GetProperty("kind").GetString());
        Assert.Equal("key:test-Responder", line.GetProperty("actor").GetString());
        Assert.Equal(detail, line.GetProperty("detail").GetString());
        var audit = await AllAsync("/api/audit");
        var entry = Assert.Single(audit, e => e.GetProperty("target").GetString() == $"incident {id}");
        Assert.Equal("incident-changed", entry.GetProperty("action").GetString());
        Assert.Equal("key:test-Responder", entry.GetProperty("actor").GetString());
        Assert.Equal($"{kind}: {detail}", entry.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Resolving_by_hand_is_a_409_that_says_incidents_resolve_themselves()
    {
        var id = await IncidentApiSeed.OpenAsync(App);

        var problem = await ProblemAsync(await PatchAsync(id, new { state = "resolved" }), HttpStatusCode.Conflict);

        Assert.Contains("resolves itself when its checks come back clean", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("open", (await GetAsync($"/api/incidents/{id}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Assigning_to_an_email_no_user_has_is_a_400_and_changes_nothing()
    {
        var id = await IncidentApiSeed.OpenAsync(App);

        var problem = await ProblemAsync(await PatchAsync(id, new { assignee = "stranger@example.net", note = "for the stranger" }), HttpStatusCode.BadRequest);

        Assert.Contains("No user has the email 'stranger@example.net'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var detail = await GetAsync($"/api/incidents/{id}");
        Assert.Equal(JsonValueKind.Null, detail.GetProperty("assignee").ValueKind);
        Assert.Equal(0, detail.GetProperty("timeline").GetArrayLength());
    }

    [Fact]
    public async Task A_state_the_incident_cannot_have_is_a_400_that_names_the_states()
    {
        var id = await IncidentApiSeed.OpenAsync(App);

        var problem = await ProblemAsync(await PatchAsync(id, new { state = "closed" }), HttpStatusCode.BadRequest);

        Assert.Contains("open, requested, awaiting-reply, resolved, wont-fix", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_field_the_patch_does_not_take_is_a_400_that_names_it_and_the_fields_it_takes()
    {
        var id = await IncidentApiSeed.OpenAsync(App);

        var problem = await ProblemAsync(await PatchRawAsync(id, """{"state": "requested", "priority": "p1"}"""), HttpStatusCode.BadRequest);

        Assert.Equal("priority", problem.GetProperty("field").GetString());
        Assert.Equal(["assignee", "note", "severity", "state"], Strings(problem.GetProperty("expected")).Order(StringComparer.Ordinal));
        Assert.Equal("open", (await GetAsync($"/api/incidents/{id}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_viewer_key_reads_incidents_but_may_not_change_them()
    {
        var id = await IncidentApiSeed.OpenAsync(App);

        var read = await GetAsync($"/api/incidents/{id}", fixture.ViewerKey);
        var patch = await PatchAsync(id, new { state = "requested" }, fixture.ViewerKey);

        Assert.Equal(id, read.GetProperty("id").GetInt64());
        await ProblemAsync(patch, HttpStatusCode.Forbidden);
        Assert.Equal("open", (await GetAsync($"/api/incidents/{id}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_note_with_markup_comes_back_verbatim_as_json_text()
    {
        var id = await IncidentApiSeed.OpenAsync(App);
        const string note = "<script>alert('x')</script> & \"quoted\" <b>bold</b>";

        var response = await PatchAsync(id, new { note });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(note, (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("timeline")[0].GetProperty("detail").GetString());
        var page = await GetAsync($"/api/incidents/{id}/timeline");
        Assert.Equal(note, page.GetProperty("items")[0].GetProperty("detail").GetString());
    }
}

public sealed class SqliteIncidentApiFixture : IncidentApiFixture
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-incident-api-").FullName;

    protected override Task<PostmasterApp> StartAppAsync(Dictionary<string, string?> settings) =>
        Task.FromResult(PostmasterApp.Sqlite(_dir, settings: settings));

    protected override async ValueTask DisposeCoreAsync()
    {
        await base.DisposeCoreAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}

public sealed class PostgresIncidentApiFixture(PostgresCluster cluster) : IncidentApiFixture
{
    public override string? UnavailableReason => cluster.UnavailableReason ?? base.UnavailableReason;

    protected override async Task<PostmasterApp> StartAppAsync(Dictionary<string, string?> settings) =>
        PostmasterApp.Postgres(await cluster.CreateDatabaseAsync("incident_api"), settings: settings);
}

public sealed class SqliteIncidentApiTests(SqliteIncidentApiFixture fixture) : IncidentApiContract(fixture), IClassFixture<SqliteIncidentApiFixture>;

public sealed class PostgresIncidentApiTests(PostgresIncidentApiFixture fixture) : IncidentApiContract(fixture), IClassFixture<PostgresIncidentApiFixture>;
