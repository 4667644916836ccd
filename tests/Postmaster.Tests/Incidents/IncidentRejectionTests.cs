using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Blocklists;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;

namespace Postmaster.Tests.Incidents;

/// <summary>
/// Incidents from rejections ingested through the real API: a receiver refusing an asset group's
/// mail is one incident of that receiver, a rejection that names a blocklist belongs to the list's
/// operator, and the incident resolves once the episode has ended and mail flows again.
/// </summary>
public sealed class IncidentRejectionTests
{
    /// <summary>Microsoft's S3150 block, as an Outlook.com MX answered it (templates/providers/microsoft/examples.json).</summary>
    private const string S3150 =
        "550 5.7.1 Unfortunately, messages from [204.11.58.44] weren't sent. Please contact your Internet service provider since part of their network is on our block list (AS3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors. [BY2NAM01FT030.eop-nam01.prod.protection.outlook.com]";

    /// <summary>Microsoft refusing because Spamhaus lists the sender (same file): the block is Spamhaus's.</summary>
    private const string BlockedUsingSpamhaus =
        "550 5.7.1 Service unavailable, Client host [74.105.21.182] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/74.105.21.182 AS(1450) [DM6NAM12FT101.eop-nam12.prod.protection.outlook.com 2024-03-08T18:27:57.188Z 08DC3ECF83FA972F]";

    /// <summary>Microsoft throttling for the sender's reputation (same file): a rate limit, often before a block.</summary>
    private const string RateLimited =
        "451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP reputation. For e-mail delivery information, see https://postmaster.live.com (S3113)";

    private const string OutlookMx = "hotmail-com.olc.protection.outlook.com";
    private const string Range = "203.0.113.0/28";
    private const string InventoryIp = "198.51.100.20";

    /// <summary>Two rejections of a kind within the hour open an episode (the shipped thresholds are 3 and more).</summary>
    private static readonly Dictionary<string, string?> LowThresholds = new()
    {
        ["Postmaster:Signals:Episodes:ip-reputation:Threshold"] = "2",
        ["Postmaster:Signals:Episodes:blocklist:Threshold"] = "2",
        ["Postmaster:Signals:Episodes:rate-limit:Threshold"] = "2",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Whole seconds: every database keeps them exactly.</summary>
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    private static object Rejection(string sourceIp, string response, DateTimeOffset at) => new
    {
        status = "bounced",
        time = at.ToString("O", CultureInfo.InvariantCulture),
        sourceIp,
        recipient = "someone@hotmail.com",
        mx = OutlookMx,
        smtpCode = 550,
        enhancedCode = "5.7.1",
        response,
    };

    private static object Delivery(string sourceIp, DateTimeOffset at) => new
    {
        status = "delivered",
        time = at.ToString("O", CultureInfo.InvariantCulture),
        sourceIp,
        recipient = "someone@hotmail.com",
        mx = OutlookMx,
        smtpCode = 250,
        response = "250 2.6.0 Queued mail for delivery",
    };

    private static object[] Rejections(string sourceIp, string response, params DateTimeOffset[] times) =>
        [.. times.Select(t => Rejection(sourceIp, response, t))];

    private static Task<IncidentScenario> StartAsync() => IncidentScenario.SqliteAsync(LowThresholds);

    [Fact]
    public async Task Microsoft_refusing_an_inventory_address_opens_one_microsoft_incident_with_the_rejections_as_evidence()
    {
        await using var scenario = await StartAsync();
        DateTimeOffset[] times = [Now.AddMinutes(-12), Now.AddMinutes(-11), Now.AddMinutes(-10)];

        await scenario.IngestAsync(Rejections(InventoryIp, S3150, times));

        var after = await scenario.SnapshotAsync();
        var incident = Assert.Single(after.Incidents);
        Assert.Equal(("microsoft", InventoryIp, true, IncidentState.Open), (incident.Provider, incident.GroupValue, incident.InInventory, incident.State));
        Assert.Equal($"asset:{incident.AssetId}", incident.GroupKey);
        var samples = after.SamplesOf(incident);
        Assert.Equal(times, samples.Select(s => s.At).Order());
        Assert.All(samples, s => Assert.Equal(("microsoft", InventoryIp, OutlookMx, S3150, 550), (s.Receiver, s.SourceIp, s.Mx, s.Response, s.SmtpCode)));
    }

    [Fact]
    public async Task Ingesting_the_same_rejections_again_duplicates_nothing_in_the_incident()
    {
        await using var scenario = await StartAsync();
        var signals = Rejections(InventoryIp, S3150, Now.AddMinutes(-12), Now.AddMinutes(-11), Now.AddMinutes(-10));
        await scenario.IngestAsync(signals);
        var first = await scenario.SnapshotAsync();

        await scenario.IngestNdjsonAsync(signals);

        var second = await scenario.SnapshotAsync();
        Assert.Equal(first.Incidents.Select(i => (i.Id, i.State, i.AffectedCount)), second.Incidents.Select(i => (i.Id, i.State, i.AffectedCount)));
        Assert.Equal(first.Samples.Select(s => s.Id), second.Samples.Select(s => s.Id));
        Assert.Equal(first.Timeline.Select(t => (t.Id, t.Count)), second.Timeline.Select(t => (t.Id, t.Count)));
    }

    [Fact]
    public async Task A_rejection_citing_spamhaus_joins_the_spamhaus_incident_a_sweep_opened()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await StartAsync();
        var swept = await scenario.SweepAsync(SweepScenario.Zones());
        var opened = swept.After.Of("spamhaus", Range);

        await scenario.IngestAsync(Rejections("203.0.113.9", BlockedUsingSpamhaus, Now.AddMinutes(-5), Now.AddMinutes(-4)));

        var after = await scenario.SnapshotAsync();
        var joined = after.Of("spamhaus", Range);
        Assert.Equal(opened.Id, joined.Id);
        Assert.Equal("microsoft", joined.CitedBy);
        Assert.DoesNotContain(after.Incidents, i => i.Provider == "microsoft");
        Assert.Equal(swept.After.Incidents.Count, after.Incidents.Count);
        Assert.Contains(after.ValuesOf(joined), v => (v.Value, v.Source, v.Basis, v.Active) == ("203.0.113.9", "microsoft", IncidentBasis.Rejection, true));
        Assert.Equal("microsoft refuses mail from 203.0.113.9, citing spamhaus.", after.TimelineOf(joined).Single(t => t.Kind == "rejections").Detail);
    }

    [Fact]
    public async Task A_rejection_citing_spamhaus_opens_the_spamhaus_incident_and_a_later_listing_joins_it()
    {
        Requirement.Require(RbldnsdServer.UnavailableReason);
        await using var scenario = await StartAsync();

        await scenario.IngestAsync(Rejections("203.0.113.5", BlockedUsingSpamhaus, Now.AddMinutes(-5), Now.AddMinutes(-4)));
        var cited = await scenario.SnapshotAsync();
        var swept = await scenario.SweepAsync(SweepScenario.Zones());

        var opened = Assert.Single(cited.Incidents);
        Assert.Equal(("spamhaus", Range, "microsoft", IncidentState.Open), (opened.Provider, opened.GroupValue, opened.CitedBy, opened.State));
        var joined = swept.After.Of("spamhaus", Range);
        Assert.Equal(opened.Id, joined.Id);
        Assert.Equal(
            ["203.0.113.5 microsoft", "203.0.113.5 zen.spamhaus.org", "203.0.113.9 zen.spamhaus.org"],
            swept.After.ValuesOf(joined).Select(v => $"{v.Value} {v.Source}").Order(StringComparer.Ordinal));
        Assert.Equal(3, joined.AffectedCount);
    }

    [Fact]
    public async Task A_source_address_outside_the_inventory_is_its_own_group()
    {
        await using var scenario = await StartAsync();

        await scenario.IngestAsync(Rejections("192.0.2.77", S3150, Now.AddMinutes(-3), Now.AddMinutes(-2)));

        var incident = Assert.Single((await scenario.SnapshotAsync()).Incidents);
        Assert.Equal(("microsoft", "ip:192.0.2.77", "192.0.2.77", false, (long?)null), (incident.Provider, incident.GroupKey, incident.GroupValue, incident.InInventory, incident.AssetId));
    }

    [Fact]
    public async Task The_episode_ending_and_a_later_delivery_resolve_the_rejection_incident()
    {
        await using var scenario = await StartAsync();

        // Rejections five hours ago: longer than the quiet time (240 minutes), so the episode may end now.
        await scenario.IngestAsync(Rejections(InventoryIp, S3150, Now.AddHours(-5), Now.AddHours(-5).AddMinutes(1)));
        await EndQuietEpisodesAsync(scenario, leavingOpen: 0);
        var ended = await scenario.SnapshotAsync();
        await scenario.IngestAsync(Delivery(InventoryIp, Now.AddMinutes(-1)));

        var after = await scenario.SnapshotAsync();
        Assert.Equal(IncidentState.Open, Assert.Single(ended.Incidents).State);
        var incident = Assert.Single(after.Incidents);
        Assert.Equal(IncidentState.Resolved, incident.State);
        Assert.NotNull(incident.ClosedAt);
        Assert.Equal(["rejections-ended", "resolved"], after.KindsOf(incident)[^2..]);
    }

    [Fact]
    public async Task The_episode_ending_without_a_delivery_leaves_the_incident_open()
    {
        await using var scenario = await StartAsync();
        await scenario.IngestAsync(Rejections(InventoryIp, S3150, Now.AddHours(-5), Now.AddHours(-5).AddMinutes(1)));

        await EndQuietEpisodesAsync(scenario, leavingOpen: 0);

        var after = await scenario.SnapshotAsync();
        var incident = Assert.Single(after.Incidents);
        Assert.Equal(IncidentState.Open, incident.State);
        Assert.Equal("rejections-ended", after.KindsOf(incident)[^1]);
    }

    [Fact]
    public async Task A_rate_limit_ending_while_the_same_receiver_still_blocks_the_address_leaves_the_incident_open()
    {
        await using var scenario = await StartAsync();
        await scenario.IngestAsync(
        [
            .. Rejections(InventoryIp, RateLimited, Now.AddHours(-5), Now.AddHours(-5).AddMinutes(1)),
            .. Rejections(InventoryIp, S3150, Now.AddMinutes(-12), Now.AddMinutes(-10)),
        ]);

        await EndQuietEpisodesAsync(scenario, leavingOpen: 1); // the rate limit's episode; the block goes on
        await scenario.IngestAsync(Delivery(InventoryIp, Now.AddMinutes(-1))); // an Office 365 tenant still takes the mail

        var after = await scenario.SnapshotAsync();
        var incident = Assert.Single(after.Incidents);
        Assert.Equal((IncidentState.Open, false), (incident.State, incident.RejectionsEnded));
        Assert.DoesNotContain("resolved", after.KindsOf(incident));
    }

    [Fact]
    public async Task Once_the_block_after_a_rate_limit_ends_too_mail_accepted_since_resolves_the_incident()
    {
        await using var scenario = await StartAsync();
        await scenario.IngestAsync(
        [
            .. Rejections(InventoryIp, RateLimited, Now.AddHours(-5), Now.AddHours(-5).AddMinutes(1)),
            .. Rejections(InventoryIp, S3150, Now.AddMinutes(-12), Now.AddMinutes(-10)),
        ]);
        await EndQuietEpisodesAsync(scenario, leavingOpen: 1);
        await scenario.IngestAsync(Delivery(InventoryIp, Now.AddMinutes(-1)));

        await EndQuietEpisodesAsync(scenario, leavingOpen: 0, later: TimeSpan.FromHours(5)); // the block's quiet time has passed

        var incident = Assert.Single((await scenario.SnapshotAsync()).Incidents);
        Assert.Equal(IncidentState.Resolved, incident.State);
    }

    [Fact]
    public async Task A_rate_limit_and_a_block_ending_together_wait_for_mail_accepted_after_the_blocks_last_rejection()
    {
        await using var scenario = await StartAsync();

        // As a log follower reads them, minute by minute: a rate limit, then a block that goes on for an hour.
        await scenario.IngestAsync(Rejections(InventoryIp, RateLimited, Now.AddHours(-6), Now.AddHours(-6).AddMinutes(1)));
        await scenario.IngestAsync(Rejections(InventoryIp, S3150, Now.AddHours(-5.9), Now.AddHours(-5.9).AddMinutes(1)));
        await scenario.IngestAsync(Delivery(InventoryIp, Now.AddHours(-5.5))); // an Office 365 tenant took this one
        await scenario.IngestAsync(Rejections(InventoryIp, S3150, Now.AddHours(-5)));

        await EndQuietEpisodesAsync(scenario, leavingOpen: 0); // both quiet long enough: one review ends both

        var after = await scenario.SnapshotAsync();
        var incident = Assert.Single(after.Incidents);
        Assert.Equal((IncidentState.Open, true), (incident.State, incident.RejectionsEnded));
    }

    /// <summary>
    /// What the episode review job does every five minutes, now or <paramref name="later"/>. The job
    /// itself may have ended an episode first: what counts is how many are left open. The engine's
    /// pass that follows is the snapshot's catch-up.
    /// </summary>
    private static async Task EndQuietEpisodesAsync(IncidentScenario scenario, int leavingOpen, TimeSpan? later = null)
    {
        await using (var scope = scenario.App.Services.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            var tracker = later is { } ahead
                ? new EpisodeTracker(
                    services.GetRequiredService<PostmasterDbContext>(),
                    services.GetRequiredService<IOptions<SignalOptions>>(),
                    new FakeTimeProvider(DateTimeOffset.UtcNow + ahead),
                    NullLogger<EpisodeTracker>.Instance)
                : services.GetRequiredService<EpisodeTracker>();
            await tracker.EndQuietEpisodesAsync(Ct);
        }

        Assert.Equal(leavingOpen, (await IncidentDb.QueryAsync(scenario.App, db => db.BlockEpisodes.Where(e => e.OpenMarker == 1))).Count);
    }
}
