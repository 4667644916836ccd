using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Signals.Probes;

namespace Postmaster.Tests.Signals.Probes;

/// <summary>The registration the app gets from <see cref="ProbeSetup.AddSignalProbes(Microsoft.AspNetCore.Builder.WebApplicationBuilder)"/>, added to the real app here.</summary>
public sealed class ProbeSetupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("postmaster-probe-setup-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static Dictionary<string, string?> Probe(string provider) => new()
    {
        ["Postmaster:Signals:Probes:0:Provider"] = provider,
        ["Postmaster:Signals:Probes:0:Mx"] = "127.0.0.1:2525",
        ["Postmaster:Signals:Probes:0:Recipient"] = "postmaster@outlook.com",
        ["Postmaster:Signals:Probes:0:HeloName"] = "probe.example.net",
    };

    [Fact]
    public async Task Start_up_fails_on_a_probe_for_an_unknown_provider_naming_the_key()
    {
        await using var app = PostmasterApp.Sqlite(_dir, settings: Probe("hotmail"));
        await using var withProbes = app.WithWebHostBuilder(b => b.ConfigureServices((context, services) => services.AddSignalProbes(context.Configuration)));

        var error = Assert.ThrowsAny<Exception>(() => withProbes.Services);

        Assert.Contains("Postmaster:Signals:Probes:0:Provider 'hotmail' is not a provider pack", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_valid_probe_starts_and_its_runner_resolves_in_a_scope()
    {
        await using var app = PostmasterApp.Sqlite(_dir, settings: Probe("microsoft"));
        await using var withProbes = app.WithWebHostBuilder(b => b.ConfigureServices((context, services) => services.AddSignalProbes(context.Configuration)));

        await using var scope = withProbes.Services.CreateAsyncScope();
        var runner = scope.ServiceProvider.GetRequiredService<ProbeRunner>();

        Assert.Equal(("microsoft", "127.0.0.1", 2525), (runner.Probes.Single().Provider, runner.Probes[0].ParseMx()!.Value.Host, runner.Probes[0].ParseMx()!.Value.Port));
    }
}
