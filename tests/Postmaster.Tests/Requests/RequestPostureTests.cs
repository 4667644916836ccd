using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Assets;
using Postmaster.Core.Incidents;
using Postmaster.Core.Posture;
using Postmaster.Tests.Incidents;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Assets;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Posture;

namespace Postmaster.Tests.Requests;

/// <summary>
/// A draft quotes the sender's posture as the posture checks last stored it, with the shipped
/// Microsoft 365 template: what passed is stated, and nothing unchecked is ever claimed.
/// </summary>
public sealed class RequestPostureTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    private const string Template = "microsoft/m365-delist-email";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_draft_for_an_inventory_ip_states_the_posture_checks_that_passed()
    {
        var ip = RequestSeed.FreshIp();
        var assetId = await AddIpAsync(ip,
        [
            PostureCheck.Pass(PostureCheckNames.ReverseDns, $"{ip} → mta1.sender.example."),
            PostureCheck.Pass(PostureCheckNames.Fcrdns, "mta1.sender.example. → " + ip),
            PostureCheck.Unknown(PostureCheckNames.Helo, "no HELO name in the inventory", "Add the HELO name as an asset."),
            PostureCheck.Fail(PostureCheckNames.Website, "no website answers on sender.example", "Publish an imprint."),
        ]);
        var incident = await RequestSeed.MicrosoftAsync(fixture.App, BannedSender(ip), ip, assetId);

        var body = await DraftBodyAsync(incident.Id);

        Assert.Contains($"  {ip}  ({ip} → mta1.sender.example.)", body, StringComparison.Ordinal);
        Assert.Contains($"- reverse DNS is forward-confirmed ({ip} → mta1.sender.example.)", body, StringComparison.Ordinal);
        Assert.DoesNotContain("HELO name matches", body, StringComparison.Ordinal); // unknown is not a pass
    }

    [Fact]
    public async Task A_draft_whose_posture_was_never_checked_claims_nothing()
    {
        var ip = RequestSeed.FreshIp();
        var incident = await RequestSeed.MicrosoftAsync(fixture.App, BannedSender(ip), ip);

        var body = await DraftBodyAsync(incident.Id);

        Assert.Contains($"  {ip}\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain("forward-confirmed", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Setup, checked", body, StringComparison.Ordinal);
    }

    private static string BannedSender(string ip) =>
        $"550 5.7.511 Access denied, banned sender[{ip}]. To request removal from this list please forward this message to delist@microsoft.com.";

    private async Task<string> DraftBodyAsync(long incidentId)
    {
        using var api = fixture.App.Api();
        using var response = await api.PostAsJsonAsync($"/api/incidents/{incidentId}/requests", new { template = Template }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var draft = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return draft.GetProperty("body").GetString()!;
    }

    /// <summary>An IP in the inventory with a stored posture result, as the schedule leaves it.</summary>
    private async Task<long> AddIpAsync(string ip, IReadOnlyList<PostureCheck> checks)
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PostmasterDbContext>();
        var asset = new Asset { Kind = AssetKind.Ip, Value = ip, CreatedAt = DateTimeOffset.UtcNow };
        db.Assets.Add(asset);
        await db.SaveChangesAsync(Ct);
        var posture = new AssetPosture { AssetId = asset.Id, CheckedAt = DateTimeOffset.UtcNow };
        posture.WriteChecks(checks);
        db.AssetPostures.Add(posture);
        await db.SaveChangesAsync(Ct);
        Assert.True(await db.AssetPostures.AnyAsync(p => p.AssetId == asset.Id, Ct));
        return asset.Id;
    }
}
