using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Core.Incidents;
using Postmaster.Tests.Incidents;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Security;

/// <summary>
/// An app with something on every page (an asset, the catalog, a sweep run, an incident with its
/// evidence, a request for it: each the first of its kind, so <c>?id=1</c> opens it) and the list of its Razor pages
/// as the app itself routes them.
/// </summary>
public sealed class CrawledApp : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-crawl-").FullName;
    private PostmasterApp? _app;

    public PostmasterApp App => _app ?? throw new InvalidOperationException("Not started.");

    public IReadOnlyList<string> Pages { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        _app = PostmasterApp.Sqlite(_dir, settings: Settings());
        await AddAssetAndSweepAsync(_app);

        Pages = RazorPages(_app.Services);
    }

    /// <summary>Every Razor page's path (its view engine path, also one of its routes), with <c>?id=1</c>, from the app's own endpoints.</summary>
    public static IReadOnlyList<string> RazorPages(IServiceProvider services) =>
        [.. services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<PageActionDescriptor>()?.ViewEnginePath)
            .OfType<string>()
            .Distinct()
            .Order(StringComparer.Ordinal)
            .Select(path => path + "?id=1")];

    /// <summary>One asset, an incident about it, and a sweep run that fails fast: nothing listens at the DNS server it is given.</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Postmaster:Dns:Servers:0"] = $"127.0.0.1:{ProcessRunner.FreeLoopbackPort()}",
    };

    public static async Task AddAssetAndSweepAsync(PostmasterApp app)
    {
        using var api = app.Api();
        (await api.PostAsJsonAsync("/api/assets", new { value = "198.51.100.7", label = "crawl" })).EnsureSuccessStatusCode();
        (await api.PostAsJsonAsync("/api/sweeps", new { assetIds = Array.Empty<long>() })).EnsureSuccessStatusCode();

        var now = DateTimeOffset.UtcNow;
        await IncidentSeed.AddAsync(
            app,
            IncidentSeed.Active("microsoft", "198.51.100.7", IncidentSeverity.High, now, assetId: 1),
            values: [IncidentSeed.Refused("microsoft", "198.51.100.7", now)],
            samples: [IncidentSeed.Rejection("microsoft", "198.51.100.7", "outlook-com.olc.protection.outlook.com", "550 5.7.1 Unfortunately, messages from [198.51.100.7] weren't sent. (S3150)", now)]);

        // A request drafted for it (the best fit, or the generic fallback), for the request page.
        (await api.PostAsJsonAsync("/api/incidents/1/requests", new { })).EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
