using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Assets;
using Postmaster.Core.Signals;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Assets;
using Postmaster.Web.Blocklists;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Signals;

namespace Postmaster.Tests.Browser;

/// <summary>A page that lists more than fits says how many there are and leads to the rest: nothing is cut silently.</summary>
public sealed class PagedListPagesTests : BrowserTest
{
    protected override async Task<PostmasterApp> StartAppAsync(string dataDirectory)
    {
        var app = PostmasterApp.Sqlite(dataDirectory, kestrel: true);
        _ = app.ServerAddress;
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var now = DateTimeOffset.UtcNow;
        var range = new Asset { Kind = AssetKind.Range, Value = "198.18.0.0/24", AddressCount = 256, CreatedAt = now };
        db.Assets.Add(range);
        db.Assets.AddRange(Enumerable.Range(1, 120).Select(i => new Asset { Kind = AssetKind.Ip, Value = $"198.51.100.{i}", CreatedAt = now }));
        await db.SaveChangesAsync();
        var zen = await db.Blocklists.Where(b => b.Zone == "zen.spamhaus.org").Select(b => b.Id).SingleAsync();
        db.Listings.AddRange(Enumerable.Range(0, 150).Select(i => new Listing
        {
            AssetId = range.Id,
            BlocklistId = zen,
            Value = $"198.18.0.{i}",
            Active = true,
            Codes = "127.0.0.4",
            Categories = "exploited",
            FirstSeen = now,
            LastSeen = now,
            LastChecked = now,
        }));
        db.SignalSamples.AddRange(Enumerable.Range(0, 60).Select(i => new SignalSample
        {
            At = now,
            Provider = "microsoft",
            Kind = "ip-reputation",
            Status = DeliveryStatus.Bounced,
            Response = $"550 5.7.1 sample {i} (S3150)",
            Origin = "test",
        }));
        // A month of daily mail to T-Online, then three weeks of silence.
        var lastDelivered = now.AddDays(-21);
        var lastHour = new DateTimeOffset(lastDelivered.UtcDateTime.Date.AddHours(lastDelivered.UtcDateTime.Hour), TimeSpan.Zero);
        db.ProviderActivity.Add(new ProviderActivity { Provider = "t-online", SourceIp = "203.0.113.50", LastDelivered = lastDelivered, Delivered = 1200 });
        db.SignalBuckets.AddRange(Enumerable.Range(0, 30).Select(d => new SignalBucket
        {
            Hour = lastHour.AddDays(-d),
            Provider = "t-online",
            Status = DeliveryStatus.Delivered,
            SourceIp = "203.0.113.50",
            Count = 40,
        }));
        await db.SaveChangesAsync();
        return app;
    }

    [Fact]
    public async Task The_listings_page_counts_the_active_listings_and_links_to_the_next_page()
    {
        var page = await SignInAsync("/Blocklists/Listings");

        Assert.Equal("Active listings (150)", await page.InnerTextAsync("h2:has-text('Active listings')"));
        Assert.Equal(100, await page.Locator("#active-listings tbody tr").CountAsync());
        Assert.Contains("Showing 100 of 150 active listings", await page.InnerTextAsync("#active-listings-pager"), StringComparison.Ordinal);

        await page.ClickAsync("#active-listings-pager >> text=Next page →");
        await page.WaitForURLAsync(url => url.Contains("cursor=", StringComparison.Ordinal));

        Assert.Equal(50, await page.Locator("#active-listings tbody tr").CountAsync());
        var pager = await page.InnerTextAsync("#active-listings-pager");
        Assert.Contains("Showing 50 of 150", pager, StringComparison.Ordinal);
        Assert.DoesNotContain("Next page", pager, StringComparison.Ordinal);
        var second = await page.Locator("#active-listings tbody tr td:first-child").AllInnerTextsAsync();
        await page.ClickAsync("#active-listings-pager >> text=First page");
        await page.WaitForURLAsync(url => !url.Contains("cursor=", StringComparison.Ordinal));
        var first = await page.Locator("#active-listings tbody tr td:first-child").AllInnerTextsAsync();
        Assert.Equal(150, first.Concat(second).Distinct().Count());
    }

    [Fact]
    public async Task The_assets_page_counts_the_inventory_and_links_to_the_next_page()
    {
        var page = await SignInAsync("/Assets");

        Assert.Equal("Inventory (121)", await page.InnerTextAsync("h2:has-text('Inventory')"));
        Assert.Equal(100, await page.Locator("#assets tbody tr").CountAsync());

        await page.ClickAsync("#assets-pager >> text=Next page →");
        await page.WaitForURLAsync(url => url.Contains("cursor=", StringComparison.Ordinal));

        Assert.Equal(21, await page.Locator("#assets tbody tr").CountAsync());
        Assert.Contains("Showing 21 of 121 assets", await page.InnerTextAsync("#assets-pager"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_signals_page_counts_the_evidence_and_links_to_the_older_samples()
    {
        var page = await SignInAsync("/Signals");

        Assert.Equal(50, await page.Locator("#samples tbody tr").CountAsync());
        Assert.Contains("Showing 50 of 60 samples", await page.InnerTextAsync("#samples-pager"), StringComparison.Ordinal);

        await page.ClickAsync("#samples-pager >> text=Next page →");
        await page.WaitForURLAsync(url => url.Contains("samples=", StringComparison.Ordinal));

        Assert.Equal(10, await page.Locator("#samples tbody tr").CountAsync());
        Assert.Contains("sample 0 ", await page.InnerTextAsync("#samples"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_signals_page_says_why_a_quiet_ip_is_at_risk_and_how_much_keeps_it_warm()
    {
        var page = await SignInAsync("/Signals");

        var row = await page.InnerTextAsync("#quiet tr:has-text('203.0.113.50')");
        Assert.Contains("watch", row, StringComparison.Ordinal);
        Assert.Contains("Usually delivers to T-Online (Deutsche Telekom) every day, but has been silent for 21 days", row, StringComparison.Ordinal);
        Assert.Contains("send about 40 messages (a usual day) now", row, StringComparison.Ordinal);
    }
}
