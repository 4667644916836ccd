using System.Net;
using Microsoft.Extensions.Options;
using Postmaster.Core.Providers;
using Postmaster.Core.Signals;

namespace Postmaster.Web.Signals.Probes;

/// <summary>
/// One active SMTP probe: opt-in, per provider. Every <see cref="IntervalMinutes"/> it connects from
/// each of <see cref="SourceIps"/> in turn to the provider's MX and goes as far as RCPT TO (never DATA).
/// </summary>
public sealed class ProbeDefinition
{
    public const int MinimumIntervalMinutes = 15;

    /// <summary>The provider slug, as in templates/providers (e.g. "microsoft").</summary>
    public string Provider { get; set; } = "";

    /// <summary>"host" or "host:port" ("[v6]:port" for an IPv6 literal); empty means the recipient domain's most preferred MX, looked up with Postmaster:Dns:Servers.</summary>
    public string? Mx { get; set; }

    public int Port { get; set; } = 25;

    /// <summary>An address at the provider, e.g. postmaster@outlook.com; only RCPT TO is sent, never a message.</summary>
    public string Recipient { get; set; } = "";

    /// <summary>The envelope sender; empty for the null sender (MAIL FROM:&lt;&gt;).</summary>
    public string MailFrom { get; set; } = "";

    /// <summary>The EHLO name; use the source IPs' PTR name, as receivers check it.</summary>
    public string HeloName { get; set; } = "";

    /// <summary>The local addresses to probe from, one connection each; empty lets the system choose one.</summary>
    public List<string> SourceIps { get; set; } = [];

    /// <summary>Minutes between probes; at least <see cref="MinimumIntervalMinutes"/>, and an hour unless said otherwise: receivers count connections too.</summary>
    public int IntervalMinutes { get; set; } = 60;

    /// <summary>Seconds to wait between two connections of the same probe (one per source IP).</summary>
    public int PauseSeconds { get; set; } = 10;

    /// <summary>Seconds to wait for the connection and for each reply.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    public bool Enabled { get; set; } = true;

    /// <summary>The domain of <see cref="Recipient"/>, lower case.</summary>
    public string RecipientDomain => Recipient[(Recipient.LastIndexOf('@') + 1)..].ToLowerInvariant();

    /// <summary>Parses <see cref="Mx"/>: null when it is empty (look the MX up).</summary>
    public (string Host, int Port)? ParseMx()
    {
        var text = Mx?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            var host = close > 1 ? text[1..close] : "";
            var rest = close > 0 ? text[(close + 1)..] : "";
            return rest.Length == 0 ? (host, Port)
                : rest[0] == ':' && int.TryParse(rest[1..], out var bracketPort) ? (host, bracketPort) : (text, -1);
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || IPAddress.TryParse(text, out _))
        {
            return (text, Port);
        }

        return colon == text.LastIndexOf(':') && int.TryParse(text[(colon + 1)..], out var port) ? (text[..colon], port) : (text, -1);
    }
}

/// <summary>Binds <c>Postmaster:Signals:Probes</c>: a list of <see cref="ProbeDefinition"/>.</summary>
public sealed class ProbeOptions
{
    public const string Section = "Postmaster:Signals:Probes";

    public List<ProbeDefinition> Probes { get; set; } = [];

    public static ProbeOptions From(IConfiguration configuration) =>
        new() { Probes = configuration.GetSection(Section).Get<List<ProbeDefinition>>() ?? [] };

    /// <summary>Everything wrong with the probes, one message per problem, naming the key to fix; empty when they are fine.</summary>
    public IReadOnlyList<string> Problems(IReadOnlySet<string> providerSlugs)
    {
        var problems = new List<string>();
        for (var i = 0; i < Probes.Count; i++)
        {
            var probe = Probes[i];
            var key = $"{Section}:{i}";
            if (!providerSlugs.Contains(probe.Provider))
            {
                problems.Add($"{key}:Provider '{probe.Provider}' is not a provider pack in templates/providers (e.g. microsoft, google, yahoo, t-online).");
            }

            if (!IsMailbox(probe.Recipient))
            {
                problems.Add($"{key}:Recipient '{probe.Recipient}' is not an address such as postmaster@outlook.com.");
            }

            if (probe.MailFrom.Length > 0 && !IsMailbox(probe.MailFrom))
            {
                problems.Add($"{key}:MailFrom '{probe.MailFrom}' is not an address; leave it empty for the null sender.");
            }

            if (!IsHostName(probe.HeloName) && !(probe.HeloName is ['[', .., ']'] && IPAddress.TryParse(probe.HeloName[1..^1], out _)))
            {
                problems.Add($"{key}:HeloName '{probe.HeloName}' is not a host name or [address literal]; use the source IPs' PTR name.");
            }

            if (probe.Port is < 1 or > 65_535)
            {
                problems.Add($"{key}:Port {probe.Port} is not a TCP port.");
            }

            if (probe.ParseMx() is { } mx && (mx.Port is < 1 or > 65_535 || !(IPAddress.TryParse(mx.Host, out _) || IsHostName(mx.Host))))
            {
                problems.Add($"{key}:Mx '{probe.Mx}' is not host, host:port or [IPv6]:port.");
            }

            var seen = new HashSet<IPAddress>();
            foreach (var ip in probe.SourceIps)
            {
                if (!IPAddress.TryParse(ip, out var address))
                {
                    problems.Add($"{key}:SourceIps '{ip}' is not an IP address.");
                }
                else if (!seen.Add(address))
                {
                    problems.Add($"{key}:SourceIps lists {ip} twice.");
                }
            }

            if (probe.IntervalMinutes is < ProbeDefinition.MinimumIntervalMinutes or > 10_080)
            {
                problems.Add($"{key}:IntervalMinutes {probe.IntervalMinutes} is outside {ProbeDefinition.MinimumIntervalMinutes}..10080: probing more often than every {ProbeDefinition.MinimumIntervalMinutes} minutes looks like an attack to receivers.");
            }

            if (probe.PauseSeconds is < 1 or > 3600)
            {
                problems.Add($"{key}:PauseSeconds {probe.PauseSeconds} is outside 1..3600.");
            }

            if (probe.TimeoutSeconds is < 1 or > 300)
            {
                problems.Add($"{key}:TimeoutSeconds {probe.TimeoutSeconds} is outside 1..300.");
            }
        }

        return problems;
    }

    private static bool IsMailbox(string text)
    {
        var at = text.LastIndexOf('@');
        return at > 0 && at < text.Length - 1 && text.Length <= 254 && IsHostName(text[(at + 1)..])
            && !text[..at].Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>' or '"');
    }

    private static bool IsHostName(string text) =>
        text.Length is > 0 and <= 253 && text.Split('.').All(l => l.Length is > 0 and <= 63 && l.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
}

/// <summary>Fails start-up on a probe that names an unknown provider or cannot be sent, with one line per problem.</summary>
public sealed class ProbeOptionsValidator(ProviderRegistry providers) : IValidateOptions<ProbeOptions>
{
    public ValidateOptionsResult Validate(string? name, ProbeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems(providers.Packs.Select(p => p.Slug).ToHashSet(StringComparer.Ordinal));
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
