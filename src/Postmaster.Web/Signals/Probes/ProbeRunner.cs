using System.Net;
using Microsoft.Extensions.Options;
using Postmaster.Core.Blocklists;
using Postmaster.Core.Signals.Probes;
using Postmaster.Web.Blocklists;

namespace Postmaster.Web.Signals.Probes;

/// <summary>What one run of a probe found, per source IP, and what it recorded.</summary>
public sealed record ProbeRun(string Provider, string? Mx, IReadOnlyList<(string? SourceIp, SmtpProbeResult Result)> Results, IngestCounter Counter);

/// <summary>
/// Runs a configured probe: one SMTP conversation per source IP, one after the other with a pause
/// between them (receivers count connections), and records the answers through
/// <see cref="SignalIngestor"/> with origin <c>probe:&lt;provider&gt;</c>, so a refusal is classified,
/// counted and opens block episodes like the same refusal read from a log. An accepted RCPT is not
/// recorded as a delivery (see <see cref="SmtpProbeResult.ToOutcome"/>): it counts as ignored in the
/// ingest report. A probe that cannot start (no MX, source IP not on this host) is reported as
/// malformed there, with the reason, and records no signal.
/// </summary>
public sealed class ProbeRunner(SignalIngestor ingestor, IOptions<ProbeOptions> options, IOptions<DnsOptions> dns, TimeProvider time, ILogger<ProbeRunner> log)
{
    public IReadOnlyList<ProbeDefinition> Probes => options.Value.Probes;

    /// <summary>Runs the probe at <paramref name="index"/> in <c>Postmaster:Signals:Probes</c>; null when there is none there.</summary>
    public async Task<ProbeRun?> RunAsync(int index, CancellationToken ct)
    {
        var probes = options.Value.Probes;
        if (index < 0 || index >= probes.Count)
        {
            log.LogWarning("No probe {Index} in {Section}: the configuration changed since it was scheduled", index, ProbeOptions.Section);
            return null;
        }

        return await RunAsync(probes[index], ct);
    }

    public async Task<ProbeRun> RunAsync(ProbeDefinition probe, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var counter = new IngestCounter();
        var outcomes = new List<Core.Signals.DeliveryOutcome>();
        var results = new List<(string?, SmtpProbeResult)>();
        var origin = $"probe:{probe.Provider}";
        var (host, port, mxError) = await TargetAsync(probe, ct);
        if (host is null)
        {
            counter.AddMalformed(0, "The probe could not find the MX to talk to.", mxError);
            log.LogWarning("Probe {Provider}: {Error}", probe.Provider, mxError);
        }
        else
        {
            var sources = probe.SourceIps.Count > 0 ? probe.SourceIps.Cast<string?>().ToList() : [null];
            for (var i = 0; i < sources.Count; i++)
            {
                IPAddress? source = null;
                if (sources[i] is { } text && !IPAddress.TryParse(text, out source))
                {
                    counter.AddMalformed(i + 1, $"The source IP '{text}' is not an IP address.", null);
                    continue;
                }

                if (results.Count > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds(probe.PauseSeconds), time, ct);
                }

                var result = await SmtpProbe.RunAsync(
                    new SmtpProbeRequest
                    {
                        Host = host,
                        Port = port,
                        SourceIp = source,
                        HeloName = probe.HeloName,
                        MailFrom = probe.MailFrom,
                        Recipient = probe.Recipient,
                        StepTimeout = TimeSpan.FromSeconds(probe.TimeoutSeconds),
                        Deadline = TimeSpan.FromSeconds(probe.TimeoutSeconds * 5),
                    },
                    ct);
                var sourceIp = source?.ToString() ?? result.LocalEndPoint?.Address.ToString();
                results.Add((sourceIp, result));
                Record(probe, host, sourceIp, result, counter, outcomes, i + 1);
            }
        }

        await ingestor.IngestAsync(outcomes.ToAsyncEnumerable(), counter, origin, ct);
        return new ProbeRun(probe.Provider, host, results, counter);
    }

    private void Record(ProbeDefinition probe, string host, string? sourceIp, SmtpProbeResult result, IngestCounter counter, List<Core.Signals.DeliveryOutcome> outcomes, int connection)
    {
        var from = sourceIp ?? "(system-chosen address)";
        switch (result.Verdict)
        {
            case ProbeVerdict.Accepted:
                counter.Ignored++;
                log.LogInformation("Probe {Provider} from {SourceIp} to {Mx}: RCPT TO accepted ({Reply})", probe.Provider, from, host, result.Reply);
                return;
            case ProbeVerdict.LocalError:
                counter.AddMalformed(connection, $"The probe from {from} could not start.", result.Error);
                log.LogWarning("Probe {Provider} from {SourceIp} to {Mx} could not start: {Error}", probe.Provider, from, host, result.Error);
                return;
            default:
                log.LogWarning("Probe {Provider} from {SourceIp} to {Mx}: {Verdict} at {Step}: {Reply}", probe.Provider, from, host, result.Verdict, result.Step, result.Reply ?? result.Error);
                if (result.ToOutcome(time.GetUtcNow(), sourceIp, probe.Recipient, host) is { } outcome)
                {
                    outcomes.Add(outcome);
                }

                return;
        }
    }

    private async Task<(string? Host, int Port, string? Error)> TargetAsync(ProbeDefinition probe, CancellationToken ct)
    {
        if (probe.ParseMx() is { } configured)
        {
            return (configured.Host, configured.Port, null);
        }

        var settings = dns.Value;
        var lookup = new MxLookup(settings.Servers.Select(DnsblResolver.ParseServer).ToList(), TimeSpan.FromSeconds(settings.TimeoutSeconds), settings.Retries);
        var (host, error) = await lookup.FirstMxAsync(probe.RecipientDomain, ct);
        return (host, probe.Port, error);
    }
}
