using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Auth;

namespace Postmaster.Tests.Signals;

/// <summary>The signals API as PRODUCT.md describes it, on each database.</summary>
public abstract class SignalApiContract(IAppFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private PostmasterApp App => fixture.App;

    private static async Task<JsonElement> Json(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

    private static async Task<List<JsonElement>> SummaryAsync(HttpClient api, string sourceIp) =>
        (await api.GetFromJsonAsync<JsonElement>("/api/signals/summary?since=2020-01-01T00:00:00Z", Ct)).EnumerateArray()
            .Where(r => r.GetProperty("sourceIp").GetString() == sourceIp).ToList();

    [Fact]
    public async Task Classify_names_provider_kind_and_rule_without_storing()
    {
        using var api = App.Api();

        var response = await api.PostAsJsonAsync("/api/signals/classify", new
        {
            response = "421-4.7.28 [203.0.113.7] Our system has detected an unusual rate of unsolicited mail originating from your IP address. 421 4.7.28 Please visit https://support.google.com/mail/answer/188131 - gsmtp",
            recipientDomain = "gmail.com",
        }, Ct);

        var body = await Json(response);
        Assert.Equal("google", body.GetProperty("provider").GetString());
        Assert.Equal("rate-limit", body.GetProperty("kind").GetString());
        Assert.StartsWith("google-", body.GetProperty("matchedRule").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_array_is_ingested_bad_items_are_counted_and_good_ones_summarised()
    {
        using var api = App.Api();
        const string body = """
            [
              {"status": "delivered", "sourceIp": "198.51.100.1", "recipient": "a@gmail.com", "time": "2026-01-10T10:00:00Z"},
              {"status": "delivered", "sourceIp": "198.51.100.1", "recipient": "b@gmail.com", "time": "2026-01-10T10:05:00Z"},
              {"status": "bounced", "sourceIp": "198.51.100.1", "recipientDomain": "hotmail.com", "smtpCode": 550, "time": "2026-01-10T10:06:00Z",
               "response": "550 5.7.1 Unfortunately, messages from [198.51.100.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150)."},
              {"status": "exploded", "sourceIp": "198.51.100.1"}
            ]
            """;

        var response = await api.PostAsync("/api/signals", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var counts = await Json(response);
        Assert.Equal(3, counts.GetProperty("accepted").GetInt64());
        Assert.Equal(1, counts.GetProperty("malformed").GetInt64());
        Assert.Contains("exploded", counts.GetProperty("malformedSamples")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        var summary = await SummaryAsync(api, "198.51.100.1");
        Assert.Contains(summary, r => r.GetProperty("provider").GetString() == "google" && r.GetProperty("status").GetString() == "delivered"
            && r.GetProperty("kind").ValueKind == JsonValueKind.Null && r.GetProperty("count").GetInt64() == 2);
        Assert.Contains(summary, r => r.GetProperty("provider").GetString() == "microsoft" && r.GetProperty("kind").GetString() == "ip-reputation"
            && r.GetProperty("status").GetString() == "bounced" && r.GetProperty("count").GetInt64() == 1);
    }

    [Fact]
    public async Task Ndjson_keeps_good_lines_around_garbage()
    {
        using var api = App.Api();
        const string body = "{\"status\":\"delivered\",\"sourceIp\":\"198.51.100.2\",\"recipientDomain\":\"yahoo.com\"}\nnot json at all\n\n{\"status\":\"deferred\",\"sourceIp\":\"198.51.100.2\",\"recipientDomain\":\"yahoo.com\",\"response\":\"421 4.7.0 [TSS04] Messages from 198.51.100.2 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes\"}\n";

        var response = await api.PostAsync("/api/signals", new StringContent(body, Encoding.UTF8, "application/x-ndjson"), Ct);

        var counts = await Json(response);
        Assert.Equal(2, counts.GetProperty("accepted").GetInt64());
        Assert.Equal(1, counts.GetProperty("malformed").GetInt64());
        Assert.Equal(2, counts.GetProperty("malformedSamples")[0].GetProperty("line").GetInt64());
        Assert.Contains(await SummaryAsync(api, "198.51.100.2"), r => r.GetProperty("provider").GetString() == "yahoo" && r.GetProperty("kind").GetString() == "rate-limit");
    }

    [Fact]
    public async Task A_json_array_that_breaks_midway_keeps_what_came_before()
    {
        using var api = App.Api();
        const string body = "[{\"status\":\"delivered\",\"sourceIp\":\"198.51.100.3\",\"recipientDomain\":\"gmail.com\"}, {\"status\": \"bou";

        var counts = await Json(await api.PostAsync("/api/signals", new StringContent(body, Encoding.UTF8, "application/json"), Ct));

        Assert.Equal(1, counts.GetProperty("accepted").GetInt64());
        Assert.Equal(1, counts.GetProperty("malformed").GetInt64());
    }

    [Fact]
    public async Task Repeated_reputation_bounces_open_a_block_episode_for_that_provider_and_ip()
    {
        using var api = App.Api();
        var now = DateTimeOffset.UtcNow;
        var bounces = Enumerable.Range(0, 4).Select(i => new
        {
            status = "bounced",
            sourceIp = "198.51.100.4",
            recipientDomain = "outlook.com",
            time = now.AddMinutes(-i).ToString("O"),
            response = "550 5.7.1 Unfortunately, messages from [198.51.100.4] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
        });

        await api.PostAsJsonAsync("/api/signals", bounces, Ct);
        var episodes = await ApiPages.AllAsync(api, "/api/signals/episodes?open=true", ct: Ct);

        var episode = Assert.Single(episodes, e => e.GetProperty("sourceIp").GetString() == "198.51.100.4");
        Assert.Equal("microsoft", episode.GetProperty("provider").GetString());
        Assert.Equal("ip-reputation", episode.GetProperty("kind").GetString());
        Assert.Equal("open", episode.GetProperty("state").GetString());
        Assert.Equal(4, episode.GetProperty("rejections").GetInt64());
    }

    [Fact]
    public async Task Unknown_users_never_open_a_block_episode()
    {
        using var api = App.Api();
        var bounces = Enumerable.Range(0, 10).Select(_ => new
        {
            status = "bounced",
            sourceIp = "198.51.100.5",
            recipientDomain = "gmail.com",
            response = "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. 550 5.1.1 https://support.google.com/mail/?p=NoSuchUser - gsmtp",
        });

        await api.PostAsJsonAsync("/api/signals", bounces, Ct);
        var episodes = await ApiPages.AllAsync(api, "/api/signals/episodes", ct: Ct);

        Assert.DoesNotContain(episodes, e => e.GetProperty("sourceIp").GetString() == "198.51.100.5");
    }

    [Fact]
    public async Task An_ip_gone_quiet_at_a_provider_that_forgets_quiet_senders_is_flagged()
    {
        using var api = App.Api();
        var last = DateTimeOffset.UtcNow.AddDays(-300);
        var signals = new object[]
        {
            new { status = "delivered", sourceIp = "198.51.100.6", recipientDomain = "t-online.de", time = last.ToString("O") },
            new { status = "delivered", sourceIp = "198.51.100.7", recipientDomain = "t-online.de", time = DateTimeOffset.UtcNow.AddDays(-2).ToString("O") },
        };

        await api.PostAsJsonAsync("/api/signals", signals, Ct);
        var quiet = await ApiPages.AllAsync(api, "/api/signals/quiet", ct: Ct);

        var flagged = Assert.Single(quiet, q => q.GetProperty("sourceIp").GetString() == "198.51.100.6");
        Assert.Equal("t-online", flagged.GetProperty("provider").GetString());
        Assert.Equal("high", flagged.GetProperty("risk").GetString());
        Assert.InRange(flagged.GetProperty("quietDays").GetInt32(), 299, 301);
        Assert.Equal(JsonValueKind.Null, flagged.GetProperty("usualCadenceDays").ValueKind); // one delivery shows no rhythm
        Assert.Equal(last.AddDays(92), flagged.GetProperty("nextSendDueAt").GetDateTimeOffset(), TimeSpan.FromSeconds(1)); // a quarter of T-Online's year
        Assert.Contains("forgets senders quiet for 365 days", flagged.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(quiet, q => q.GetProperty("sourceIp").GetString() == "198.51.100.7");
    }

    [Fact]
    public async Task An_ip_that_delivered_daily_and_fell_silent_for_three_weeks_is_watched()
    {
        using var api = App.Api();
        var last = DateTimeOffset.UtcNow.AddDays(-21);
        await api.PostAsJsonAsync("/api/signals", Deliveries("198.51.100.20", "t-online.de", last, everyDays: 1, times: 30, perDay: 3), Ct);

        var quiet = await ApiPages.AllAsync(api, "/api/signals/quiet", ct: Ct);

        var flagged = Assert.Single(quiet, q => q.GetProperty("sourceIp").GetString() == "198.51.100.20");
        Assert.Equal("watch", flagged.GetProperty("risk").GetString());
        Assert.Equal(1, flagged.GetProperty("usualCadenceDays").GetInt32());
        Assert.Equal(last.AddDays(7), flagged.GetProperty("nextSendDueAt").GetDateTimeOffset(), TimeSpan.FromSeconds(1));
        Assert.Equal(3, flagged.GetProperty("keepWarmMessages").GetInt64());
        Assert.StartsWith("Usually delivers to T-Online (Deutsche Telekom) every day, but has been silent for 21 days", flagged.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_weekly_sender_quiet_for_ten_days_is_not_at_risk()
    {
        using var api = App.Api();
        await api.PostAsJsonAsync("/api/signals", Deliveries("198.51.100.21", "t-online.de", DateTimeOffset.UtcNow.AddDays(-10), everyDays: 7, times: 8, perDay: 1), Ct);

        var quiet = await ApiPages.AllAsync(api, "/api/signals/quiet", ct: Ct);

        Assert.DoesNotContain(quiet, q => q.GetProperty("sourceIp").GetString() == "198.51.100.21");
    }

    [Fact]
    public async Task A_provider_that_does_not_reset_quiet_senders_never_flags_an_ip()
    {
        using var api = App.Api();
        await api.PostAsJsonAsync("/api/signals", Deliveries("198.51.100.22", "gmail.com", DateTimeOffset.UtcNow.AddDays(-200), everyDays: 1, times: 30, perDay: 1), Ct);

        var quiet = await ApiPages.AllAsync(api, "/api/signals/quiet", ct: Ct);

        Assert.DoesNotContain(quiet, q => q.GetProperty("sourceIp").GetString() == "198.51.100.22");
    }

    /// <summary>Delivered signals on a rhythm, the newest at <paramref name="last"/>.</summary>
    private static IEnumerable<object> Deliveries(string ip, string domain, DateTimeOffset last, int everyDays, int times, int perDay) =>
        Enumerable.Range(0, times).SelectMany(i => Enumerable.Range(0, perDay).Select(n => (object)new
        {
            status = "delivered",
            sourceIp = ip,
            recipientDomain = domain,
            time = last.AddDays(-i * everyDays).AddMinutes(-n).ToString("O"),
        }));

    [Fact]
    public async Task A_viewer_key_may_read_signals_but_not_ingest()
    {
        using var api = App.Api(await App.CreateApiKeyAsync(Roles.Viewer));

        var ingest = await api.PostAsync("/api/signals", new StringContent("[]", Encoding.UTF8, "application/json"), Ct);
        var summary = await api.GetAsync("/api/signals/summary", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, ingest.StatusCode);
        Assert.Equal(HttpStatusCode.OK, summary.StatusCode);
    }
}

public sealed class SqliteSignalApiTests(SqliteAppFixture fixture) : SignalApiContract(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PostgresSignalApiTests(PostgresAppFixture fixture) : SignalApiContract(fixture), IClassFixture<PostgresAppFixture>;
