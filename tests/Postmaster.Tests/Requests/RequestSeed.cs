using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Incidents;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Incidents;
using Postmaster.Web.Infrastructure.Database;
using Postmaster.Web.Organisation;

namespace Postmaster.Tests.Requests;

/// <summary>Incidents a request is drafted for, as the engine records them, each about a fresh source IP.</summary>
public static class RequestSeed
{
    public static readonly DateTimeOffset Blocked = new(2026, 12, 4, 8, 15, 0, TimeSpan.Zero);

    /// <summary>Outlook.com's S3150, as an Outlook.com MX answered it (templates/providers/microsoft/examples.json).</summary>
    public static string S3150(string ip) =>
        $"550 5.7.1 Unfortunately, messages from [{ip}] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.";

    private static int _next = 10;

    public static string FreshIp() => $"198.51.100.{Interlocked.Increment(ref _next) % 250 + 1}";

    /// <summary>An open Microsoft incident: one refused IP, one S3150 rejection (or <paramref name="response"/>).</summary>
    public static async Task<Incident> MicrosoftAsync(PostmasterApp app, string? response = null, string? ip = null, long? assetId = null)
    {
        ip ??= FreshIp();
        var text = response ?? S3150(ip);
        var value = IncidentSeed.Refused("microsoft", ip, Blocked);
        value.Reason = text;
        return await IncidentSeed.AddAsync(app, IncidentSeed.Active("microsoft", ip, IncidentSeverity.High, Blocked, assetId),
            [value], [IncidentSeed.Rejection("microsoft", ip, "outlook-com.olc.protection.outlook.com", text, Blocked.AddMinutes(5))]);
    }

    /// <summary>An open UCEPROTECT incident: one IP listed on Level 1.</summary>
    public static async Task<Incident> UceprotectAsync(PostmasterApp app)
    {
        var ip = FreshIp();
        return await IncidentSeed.AddAsync(app, IncidentSeed.Active("uceprotect", ip, IncidentSeverity.Medium, Blocked),
        [
            new IncidentValue
            {
                Value = ip, Source = "dnsbl-1.uceprotect.net", Basis = IncidentBasis.Listing, Active = true, Codes = "127.0.0.2",
                Categories = "spam-source", Reason = "Your IP is UCEPROTECT-Level1 listed", FirstSeen = Blocked, LastSeen = Blocked,
            },
        ]);
    }

    /// <summary>A profile with nothing filled in, as a fresh installation has.</summary>
    public static readonly OrganisationInput EmptyProfile = new(null, null, null, null, null, null, null, null, null, null, null, null, [], []);

    public static async Task ProfileAsync(PostmasterApp app, OrganisationInput input)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var problems = await scope.ServiceProvider.GetRequiredService<OrganisationProfiles>().SaveAsync(input, TestContext.Current.CancellationToken);
        Assert.Empty(problems);
    }

    public static async Task<T> ReadAsync<T>(PostmasterApp app, Func<PostmasterDbContext, Task<T>> read)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await read(scope.ServiceProvider.GetRequiredService<PostmasterDbContext>());
    }
}
