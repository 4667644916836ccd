using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Postmaster.Core.Providers;
using Postmaster.Web.Signals.Probes;
using Quartz;

namespace Postmaster.Tests.Signals.Probes;

/// <summary>Probe configuration: what start-up refuses, how Mx is read, and what gets scheduled.</summary>
public class ProbeOptionsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ProbeDefinition Valid() => new()
    {
        Provider = "microsoft",
        Recipient = "postmaster@outlook.com",
        MailFrom = "probe@example.net",
        HeloName = "mta1.example.net",
        SourceIps = ["192.0.2.10", "2001:db8::10"],
    };

    private static List<string> Problems(ProbeDefinition probe) =>
        new ProbeOptionsValidator(new ProviderRegistry(ProviderPackTests.Packs)).Validate(null, new ProbeOptions { Probes = [probe] }) is { Failed: true } result
            ? result.Failures!.ToList()
            : [];

    [Fact]
    public void A_complete_probe_is_valid() => Assert.Empty(Problems(Valid()));

    [Fact]
    public void Every_problem_is_named_with_the_key_to_fix()
    {
        var probe = Valid();
        probe.Provider = "hotmail";
        probe.Recipient = "outlook.com";
        probe.MailFrom = "not an address";
        probe.HeloName = "";
        probe.SourceIps = ["192.0.2.10", "192.0.2.10", "mta1"];
        probe.IntervalMinutes = 5;
        probe.Mx = "mx.example.net:http";

        var problems = Problems(probe);

        Assert.Equal(
            [
                "Postmaster:Signals:Probes:0:Provider 'hotmail' is not a provider pack in templates/providers (e.g. microsoft, google, yahoo, t-online).",
                "Postmaster:Signals:Probes:0:Recipient 'outlook.com' is not an address such as postmaster@outlook.com.",
                "Postmaster:Signals:Probes:0:MailFrom 'not an address' is not an address; leave it empty for the null sender.",
                "Postmaster:Signals:Probes:0:HeloName '' is not a host name or [address literal]; use the source IPs' PTR name.",
                "Postmaster:Signals:Probes:0:Mx 'mx.example.net:http' is not host, host:port or [IPv6]:port.",
                "Postmaster:Signals:Probes:0:SourceIps lists 192.0.2.10 twice.",
                "Postmaster:Signals:Probes:0:SourceIps 'mta1' is not an IP address.",
                "Postmaster:Signals:Probes:0:IntervalMinutes 5 is outside 15..10080: probing more often than every 15 minutes looks like an attack to receivers.",
            ],
            problems);
    }

    [Fact]
    public void An_empty_sender_and_an_address_literal_HELO_are_fine()
    {
        var probe = Valid();
        probe.MailFrom = "";
        probe.HeloName = "[192.0.2.10]";

        Assert.Empty(Problems(probe));
    }

    [Theory]
    [InlineData(null, "", 25)]
    [InlineData("", "", 25)]
    [InlineData("mx.example.net", "mx.example.net", 25)]
    [InlineData("mx.example.net:2525", "mx.example.net", 2525)]
    [InlineData("192.0.2.25", "192.0.2.25", 25)]
    [InlineData("127.0.0.1:2525", "127.0.0.1", 2525)]
    [InlineData("2001:db8::25", "2001:db8::25", 25)]
    [InlineData("[2001:db8::25]:2525", "2001:db8::25", 2525)]
    [InlineData("[2001:db8::25]", "2001:db8::25", 25)]
    public void Mx_is_host_or_host_and_port(string? mx, string host, int port)
    {
        var probe = Valid();
        probe.Mx = mx;

        (string, int)? expected = host.Length == 0 ? null : (host, port);

        Assert.Equal(expected, probe.ParseMx());
    }

    [Fact]
    public void The_probes_bind_from_configuration_as_a_list()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Postmaster:Signals:Probes:0:Provider"] = "microsoft",
            ["Postmaster:Signals:Probes:0:Recipient"] = "postmaster@outlook.com",
            ["Postmaster:Signals:Probes:0:SourceIps:0"] = "192.0.2.10",
            ["Postmaster:Signals:Probes:0:SourceIps:1"] = "192.0.2.11",
            ["Postmaster:Signals:Probes:1:Provider"] = "t-online",
            ["Postmaster:Signals:Probes:1:Enabled"] = "false",
        }).Build();

        var probes = ProbeOptions.From(configuration).Probes;

        Assert.Equal(2, probes.Count);
        Assert.Equal(["192.0.2.10", "192.0.2.11"], probes[0].SourceIps);
        Assert.Equal((60, 25, 10, 30, true), (probes[0].IntervalMinutes, probes[0].Port, probes[0].PauseSeconds, probes[0].TimeoutSeconds, probes[0].Enabled));
        Assert.False(probes[1].Enabled);
    }

    [Fact]
    public async Task One_trigger_per_enabled_probe_at_its_interval_first_fired_after_a_delay()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Postmaster:Signals:Probes:0:Provider"] = "microsoft",
            ["Postmaster:Signals:Probes:0:IntervalMinutes"] = "90",
            ["Postmaster:Signals:Probes:1:Provider"] = "t-online",
            ["Postmaster:Signals:Probes:1:Enabled"] = "false",
            ["Postmaster:Signals:Probes:2:Provider"] = "yahoo",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddQuartz(q => q.AddProbeSchedule(configuration));
        await using var provider = services.BuildServiceProvider();
        var before = DateTimeOffset.UtcNow;
        var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler(Ct);
        try
        {
            var keys = (await scheduler.GetTriggerKeys(GroupMatcher<TriggerKey>.GroupEquals(ProbeJob.Group), Ct)).Select(k => k.Name).Order().ToList();
            Assert.Equal(["probe-0-microsoft", "probe-2-yahoo"], keys);

            var microsoft = (ISimpleTrigger)(await scheduler.GetTrigger(new TriggerKey("probe-0-microsoft", ProbeJob.Group), Ct))!;
            var yahoo = (ISimpleTrigger)(await scheduler.GetTrigger(new TriggerKey("probe-2-yahoo", ProbeJob.Group), Ct))!;
            Assert.Equal((TimeSpan.FromMinutes(90), TimeSpan.FromMinutes(60)), (microsoft.RepeatInterval, yahoo.RepeatInterval));
            Assert.True(microsoft.StartTimeUtc >= before + TimeSpan.FromMinutes(1), "not at once");
            Assert.True(yahoo.StartTimeUtc > microsoft.StartTimeUtc, "staggered");
            var job = await scheduler.GetJobDetail(new JobKey("probe-2-yahoo", ProbeJob.Group), Ct);
            Assert.Equal(2, job!.JobDataMap.GetInt(ProbeJob.IndexKey));
            Assert.Equal(typeof(ProbeJob), job.JobType.Type);
        }
        finally
        {
            await scheduler.Shutdown(cancellationToken: Ct);
        }
    }

    [Fact]
    public void The_validator_is_what_start_up_runs()
    {
        var options = new ProbeOptions { Probes = [new ProbeDefinition { Provider = "nobody" }] };
        var validator = new ProbeOptionsValidator(new ProviderRegistry(ProviderPackTests.Packs));

        var result = ((IValidateOptions<ProbeOptions>)validator).Validate(Options.DefaultName, options);

        Assert.True(result.Failed);
        Assert.Contains("Postmaster:Signals:Probes:0:Provider 'nobody'", result.FailureMessage, StringComparison.Ordinal);
    }
}
