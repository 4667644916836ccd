using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Blocklists;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Infrastructure.Database;

namespace Postmaster.Tests.Blocklists;

/// <summary>
/// Real rbldnsd zones named like the real lists, and the app pointed at them. The zones below are
/// the truth a sweep must report: nothing more, nothing less.
/// </summary>
public static class SweepScenario
{
    public static readonly string[] Lists = ["spamhaus-zen", "spamhaus-dbl", "surbl-multi", "spamcop-scbl"];

    public static readonly string[] Assets = ["203.0.113.0/28", "198.51.100.20", "2001:db8::25", "spammy.example", "phishy.example", "clean.example"];

    public static RbldnsdZone[] Zones(bool spammyStillListed = true, bool zenRefusesUs = false) =>
    [
        .. zenRefusesUs
            ? new RbldnsdZone[]
            {
                // What Spamhaus answers a public resolver: an error code for every query.
                new("zen.spamhaus.org", RbldnsdZoneType.Ip4Trie, ":127.255.255.254:Query via public resolver refused\n0.0.0.0/0\n"),
                new("zen.spamhaus.org", RbldnsdZoneType.Ip6Trie, ":127.255.255.254:Query via public resolver refused\n2001:db8::/32\n::ffff:0:0/96\n"),
            }
            : [
                new("zen.spamhaus.org", RbldnsdZoneType.Ip4Set, ":127.0.0.2:SBL listing, see https://check.spamhaus.org/query/ip/$\n127.0.0.2\n203.0.113.5\n203.0.113.9\n"),
                new("zen.spamhaus.org", RbldnsdZoneType.Ip4Set, "203.0.113.9 :127.0.0.4:XBL: exploited host\n"),
                new("zen.spamhaus.org", RbldnsdZoneType.Ip6Trie, "::ffff:7f00:2 :127.0.0.2:test point\n2001:db8::25 :127.0.0.3:CSS listing\n"),
            ],
        new("dbl.spamhaus.org", RbldnsdZoneType.DnSet, ":127.0.1.2:Spam domain $\ndbltest.com\n" + (spammyStillListed ? "spammy.example\n" : "")),
        new("multi.surbl.org", RbldnsdZoneType.DnSet, "test.surbl.org :127.0.0.254:test\nphishy.example :127.0.0.80:malware and abuse\n"),

        // The lapsed-domain case (SpamCop, January 2021): a wildcard answers everything, outside 127/8.
        new("bl.spamcop.net", RbldnsdZoneType.Ip4Set, ""),
        new("bl.spamcop.net", RbldnsdZoneType.Acl, "0.0.0.0/0 :192.0.2.1:\n"),
    ];

    /// <summary>
    /// A resolver that answers NXDOMAIN for everything (no Internet access, a filtering or captive
    /// resolver): every top-level domain of the shipped catalog's zones, served with no data.
    /// </summary>
    public static RbldnsdZone[] NxdomainForEverything() =>
    [
        .. BlocklistCatalog.Load(RepoPaths.Catalog).Lists
            .Select(l => l.Zone.TrimEnd('.').Split('.')[^1]).Distinct(StringComparer.Ordinal)
            .Select(tld => new RbldnsdZone(tld, RbldnsdZoneType.DnSet, "")),
    ];

    public static Dictionary<string, string?> Settings(IPEndPoint dns) => new()
    {
        ["Postmaster:Dns:Servers:0"] = dns.ToString(),
        ["Postmaster:Dns:TimeoutSeconds"] = "0.5",
        ["Postmaster:Dns:Retries"] = "0",
        ["Postmaster:Blocklists:ChunkSize"] = "16",
    };

    /// <summary>Only the scenario's lists are enabled: the rest of the catalog is not served here.</summary>
    public static async Task EnableOnlyAsync(PostmasterApp app, params string[] slugs)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        await db.Blocklists.ExecuteUpdateAsync(s => s.SetProperty(b => b.Enabled, b => slugs.Contains(b.Slug)));
    }

    public static async Task AddAssetsAsync(HttpClient api, params string[] values)
    {
        foreach (var value in values)
        {
            var response = await api.PostAsJsonAsync("/api/assets", new { value });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
    }

    /// <summary>Starts a sweep and polls it to the end (bounded: 60 s).</summary>
    public static async Task<JsonElement> SweepAsync(HttpClient api)
    {
        var started = await api.PostAsJsonAsync("/api/sweeps", new { assetIds = Array.Empty<long>() });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        return await WaitAsync(api, id);
    }

    public static async Task<JsonElement> WaitAsync(HttpClient api, long id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var run = await api.GetFromJsonAsync<JsonElement>($"/api/sweeps/{id}");
            var state = run.GetProperty("state").GetString();
            if (state is "completed" or "failed")
            {
                return run;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Sweep {id} still {state} after 60 s: {run}");
            }

            await Task.Delay(50);
        }
    }

    public static async Task<List<JsonElement>> ActiveListingsAsync(HttpClient api) =>
        await ApiPages.AllAsync(api, "/api/listings?active=true");
}
