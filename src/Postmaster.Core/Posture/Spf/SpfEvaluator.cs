using System.Net;
using System.Net.Sockets;

namespace Postmaster.Core.Posture.Spf;

/// <summary>
/// check_host() of RFC 7208, asked the way a receiver asks it for mail from <c>postmaster@domain</c>
/// sent by one IP: include, redirect, a, mx, ptr, ip4, ip6, exists, macros (§7), the limit of 10
/// DNS-querying terms and of 2 void lookups (§4.6.4, both permerror), and temperror for a DNS
/// failure. Written on <see cref="IPostureDns"/> rather than taken from ARSoft.Tools.Net, whose
/// validator lets void lookups through and quietly checks only the first 9 MX hosts (README,
/// "Why each dependency").
/// </summary>
public sealed class SpfEvaluator(IPostureDns dns)
{
    /// <summary>RFC 7208 §4.6.4.</summary>
    public const int MaxLookups = 10;

    public const int MaxVoidLookups = 2;

    /// <summary>Address lookups one mx mechanism may cause, and PTR names a ptr mechanism looks at (§4.6.4).</summary>
    public const int MaxNamesPerMechanism = 10;

    /// <summary>Evaluates the SPF policy of <paramref name="domain"/> for mail from <paramref name="ip"/>.</summary>
    public async Task<SpfResult> CheckHostAsync(IPAddress ip, string domain, string? helo, CancellationToken cancellationToken)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        var name = domain.TrimEnd('.').ToLowerInvariant();
        var state = new State(ip, $"postmaster@{name}", helo ?? name);
        try
        {
            var (outcome, reason) = await CheckAsync(name, state, depth: 0, cancellationToken);
            return new SpfResult(outcome, reason, null, state.Lookups, state.VoidLookups);
        }
        catch (SpfAbort abort)
        {
            return new SpfResult(abort.Outcome, abort.Message, abort.Problem, state.Lookups, state.VoidLookups);
        }
    }

    /// <summary>
    /// The domain's own record, fetched and parsed but evaluated for no address: what can be said
    /// about SPF when the inventory holds no address that sends for the domain.
    /// </summary>
    public async Task<(SpfRecord? Record, string? RecordText, SpfResult? Error)> RecordAsync(string domain, CancellationToken cancellationToken)
    {
        var name = domain.TrimEnd('.').ToLowerInvariant();
        try
        {
            var (record, text) = await FetchAsync(name, cancellationToken);
            return (record, text, null);
        }
        catch (SpfAbort abort)
        {
            return (null, null, new SpfResult(abort.Outcome, abort.Message, abort.Problem, 0, 0));
        }
    }

    private async Task<(SpfOutcome Outcome, string Reason)> CheckAsync(string domain, State state, int depth, CancellationToken ct)
    {
        var (record, _) = await FetchAsync(domain, ct);
        var context = new SpfMacroContext(state.Ip, state.Sender, domain, state.Helo);
        var where = depth == 0 ? domain : $"{domain} (included)";

        foreach (var mechanism in record.Mechanisms)
        {
            if (mechanism.CountsAsLookup && ++state.Lookups > MaxLookups)
            {
                throw new SpfAbort(SpfOutcome.PermError, SpfProblem.TooManyLookups,
                    $"more than {MaxLookups} DNS-querying terms (include, a, mx, ptr, exists, redirect) counted by {mechanism.Text} in {domain} (RFC 7208 §4.6.4)");
            }

            if (await MatchesAsync(mechanism, context, state, depth, ct))
            {
                var through = state.IncludeReason is { } inner ? $"{inner}, through {mechanism.Text} in {where}" : $"{mechanism.Text} in {where} matched";
                state.IncludeReason = null;
                return (Result(mechanism.Qualifier), through);
            }
        }

        // "redirect" is ignored when the record has an "all" mechanism (RFC 7208 §6.1).
        if (record.Redirect is { } redirect && !record.Mechanisms.Any(m => m.Kind == SpfMechanismKind.All))
        {
            if (++state.Lookups > MaxLookups)
            {
                throw new SpfAbort(SpfOutcome.PermError, SpfProblem.TooManyLookups,
                    $"more than {MaxLookups} DNS-querying terms, counted by redirect={redirect} in {domain} (RFC 7208 §4.6.4)");
            }

            var target = ExpandDomain(redirect, context, domain);
            var (outcome, reason) = await CheckTargetAsync(target, state, depth + 1, ct);
            if (outcome == SpfOutcome.None)
            {
                throw new SpfAbort(SpfOutcome.PermError, SpfProblem.IncludeWithoutRecord,
                    $"redirect={target} in {domain} names a domain without an SPF record (RFC 7208 §6.1)");
            }

            return (outcome, $"{reason}, by redirect from {domain}");
        }

        return (SpfOutcome.Neutral, $"no mechanism in {where} matched and it has no all (neutral by default, RFC 7208 §4.7)");
    }

    /// <summary>An include or redirect target: its own record, with the lookup and depth guards of this evaluation.</summary>
    private async Task<(SpfOutcome Outcome, string Reason)> CheckTargetAsync(string target, State state, int depth, CancellationToken ct)
    {
        try
        {
            return await CheckAsync(target, state, depth, ct);
        }
        catch (SpfAbort abort) when (abort.Outcome == SpfOutcome.None)
        {
            return (SpfOutcome.None, abort.Message);
        }
    }

    private async Task<(SpfRecord Record, string Text)> FetchAsync(string domain, CancellationToken ct)
    {
        if (!IsValidDomain(domain))
        {
            // RFC 7208 §4.3: a malformed domain, or one without dots, has no policy.
            throw new SpfAbort(SpfOutcome.None, SpfProblem.NoSuchDomain, $"'{PostureText.Bound(domain, 80)}' is not a valid domain name");
        }

        var answer = await dns.TxtAsync(domain, ct);
        if (answer.Status == DnsAnswerStatus.Failed)
        {
            throw new SpfAbort(SpfOutcome.TempError, SpfProblem.Dns, answer.Error ?? $"the TXT lookup of {domain} failed");
        }

        if (answer.Status == DnsAnswerStatus.NoSuchName)
        {
            throw new SpfAbort(SpfOutcome.None, SpfProblem.NoSuchDomain, $"{domain} does not exist (NXDOMAIN)");
        }

        var records = answer.Records.Where(SpfRecord.IsSpf).ToList();
        if (records.Count == 0)
        {
            throw new SpfAbort(SpfOutcome.None, SpfProblem.NoRecord, $"{domain} publishes no SPF record");
        }

        if (records.Count > 1)
        {
            throw new SpfAbort(SpfOutcome.PermError, SpfProblem.MultipleRecords, $"{domain} publishes {records.Count} SPF records; exactly one is allowed (RFC 7208 §4.5)");
        }

        var (record, error) = SpfRecord.Parse(records[0]);
        if (record is null)
        {
            throw new SpfAbort(SpfOutcome.PermError, SpfProblem.Syntax, $"syntax error in the SPF record of {domain}: {PostureText.Bound(error, 160)}");
        }

        return (record, records[0]);
    }

    private async Task<bool> MatchesAsync(SpfMechanism mechanism, SpfMacroContext context, State state, int depth, CancellationToken ct)
    {
        var domain = context.Domain;
        switch (mechanism.Kind)
        {
            case SpfMechanismKind.All:
                return true;

            case SpfMechanismKind.Ip4:
            case SpfMechanismKind.Ip6:
                {
                    var family = mechanism.Kind == SpfMechanismKind.Ip4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                    if (state.Ip.AddressFamily != family)
                    {
                        return false;
                    }

                    var prefix = (family == AddressFamily.InterNetwork ? mechanism.Cidr4 : mechanism.Cidr6) ?? (family == AddressFamily.InterNetwork ? 32 : 128);
                    return InNetwork(state.Ip, mechanism.Address!, prefix);
                }

            case SpfMechanismKind.A:
                {
                    var target = mechanism.DomainSpec is null ? domain : ExpandDomain(mechanism.DomainSpec, context, domain);
                    var answer = await dns.AddressesAsync(target, state.Ip.AddressFamily, ct);
                    Check(answer, mechanism, target, state);
                    return answer.Records.Any(a => InNetwork(state.Ip, a, Prefix(mechanism, state.Ip)));
                }

            case SpfMechanismKind.Mx:
                {
                    var target = mechanism.DomainSpec is null ? domain : ExpandDomain(mechanism.DomainSpec, context, domain);
                    var answer = await dns.MxAsync(target, ct);
                    Check(answer, mechanism, target, state);
                    var hosts = answer.Records.Where(m => !m.IsNullMx).ToList();
                    if (hosts.Count > MaxNamesPerMechanism)
                    {
                        throw new SpfAbort(SpfOutcome.PermError, SpfProblem.TooManyMxRecords,
                            $"{mechanism.Text} in {domain}: {target} has {hosts.Count} MX hosts, more than the {MaxNamesPerMechanism} one mx mechanism may look up (RFC 7208 §4.6.4)");
                    }

                    foreach (var host in hosts)
                    {
                        var addresses = await dns.AddressesAsync(host.Host, state.Ip.AddressFamily, ct);
                        if (addresses.Status == DnsAnswerStatus.Failed)
                        {
                            throw new SpfAbort(SpfOutcome.TempError, SpfProblem.Dns, $"{mechanism.Text} in {domain}: {addresses.Error}");
                        }

                        if (addresses.Records.Any(a => InNetwork(state.Ip, a, Prefix(mechanism, state.Ip))))
                        {
                            return true;
                        }
                    }

                    return false;
                }

            case SpfMechanismKind.ReverseName:
                {
                    // RFC 7208 §5.5: a DNS error here makes the mechanism not match, never an error.
                    var target = mechanism.DomainSpec is null ? domain : ExpandDomain(mechanism.DomainSpec, context, domain);
                    var names = await dns.PtrAsync(state.Ip, ct);
                    if (names.IsVoid)
                    {
                        state.Void(mechanism, domain);
                    }

                    foreach (var name in names.Records.Take(MaxNamesPerMechanism))
                    {
                        var addresses = await dns.AddressesAsync(name, state.Ip.AddressFamily, ct);
                        if (addresses.Records.Any(a => a.Equals(state.Ip))
                            && (name.Equals(target, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + target, StringComparison.OrdinalIgnoreCase)))
                        {
                            return true;
                        }
                    }

                    return false;
                }

            case SpfMechanismKind.Exists:
                {
                    var target = ExpandDomain(mechanism.DomainSpec!, context, domain);
                    var answer = await dns.AddressesAsync(target, AddressFamily.InterNetwork, ct); // always A (RFC 7208 §5.7)
                    Check(answer, mechanism, target, state);
                    return answer.Records.Count > 0;
                }

            case SpfMechanismKind.Include:
                {
                    var target = ExpandDomain(mechanism.DomainSpec!, context, domain);
                    var (outcome, reason) = await CheckTargetAsync(target, state, depth + 1, ct);
                    state.IncludeReason = outcome == SpfOutcome.Pass ? reason : null;
                    return outcome switch
                    {
                        SpfOutcome.Pass => true,
                        SpfOutcome.Fail or SpfOutcome.SoftFail or SpfOutcome.Neutral => false,
                        SpfOutcome.TempError => throw new SpfAbort(SpfOutcome.TempError, SpfProblem.Dns, reason),

                        // RFC 7208 §5.2: an included domain without a record is a permerror of the includer.
                        SpfOutcome.None => throw new SpfAbort(SpfOutcome.PermError, SpfProblem.IncludeWithoutRecord,
                            $"{mechanism.Text} in {domain} names a domain without an SPF record ({reason})"),
                        _ => throw new SpfAbort(SpfOutcome.PermError, SpfProblem.Syntax, reason),
                    };
                }

            default:
                return false;
        }
    }

    /// <summary>A failed lookup is a temperror (RFC 7208 §5); an empty one counts toward the void limit.</summary>
    private static void Check<T>(DnsAnswer<T> answer, SpfMechanism mechanism, string target, State state)
    {
        if (answer.Status == DnsAnswerStatus.Failed)
        {
            throw new SpfAbort(SpfOutcome.TempError, SpfProblem.Dns, $"{mechanism.Text}: {answer.Error ?? $"the lookup of {target} failed"}");
        }

        if (answer.IsVoid)
        {
            state.Void(mechanism, target);
        }
    }

    private static string ExpandDomain(string spec, SpfMacroContext context, string domain)
    {
        var (value, error) = SpfMacro.Expand(spec, context);
        if (value is null)
        {
            throw new SpfAbort(SpfOutcome.PermError, SpfProblem.Syntax, $"syntax error in the SPF record of {domain}: {error}");
        }

        return SpfMacro.FitDomain(value).ToLowerInvariant();
    }

    private static int Prefix(SpfMechanism mechanism, IPAddress ip) =>
        ip.AddressFamily == AddressFamily.InterNetworkV6 ? mechanism.Cidr6 ?? 128 : mechanism.Cidr4 ?? 32;

    private static bool InNetwork(IPAddress ip, IPAddress network, int prefix) =>
        ip.AddressFamily == network.AddressFamily && new IPNetwork(Mask(network, prefix), prefix).Contains(ip);

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xff << (8 - keep));
        }

        return new IPAddress(bytes);
    }

    private static SpfOutcome Result(SpfQualifier qualifier) => qualifier switch
    {
        SpfQualifier.Pass => SpfOutcome.Pass,
        SpfQualifier.Fail => SpfOutcome.Fail,
        SpfQualifier.SoftFail => SpfOutcome.SoftFail,
        _ => SpfOutcome.Neutral,
    };

    /// <summary>RFC 7208 §4.3: labels of 1 to 63 characters, at least two of them, 253 characters in all.</summary>
    private static bool IsValidDomain(string domain) =>
        domain.Length is > 0 and <= 253 && domain.Split('.') is { Length: >= 2 } labels && labels.All(l => l.Length is > 0 and <= 63);

    /// <summary>The counters of one evaluation, shared by its includes and redirects.</summary>
    private sealed class State(IPAddress ip, string sender, string helo)
    {
        public IPAddress Ip { get; } = ip;

        public string Sender { get; } = sender;

        public string Helo { get; } = helo;

        public int Lookups { get; set; }

        public int VoidLookups { get; private set; }

        /// <summary>What matched inside the include that just passed, for the reason of the includer.</summary>
        public string? IncludeReason { get; set; }

        private readonly List<string> _voids = [];

        public void Void(SpfMechanism mechanism, string target)
        {
            VoidLookups++;
            _voids.Add(target);
            if (VoidLookups > MaxVoidLookups)
            {
                throw new SpfAbort(SpfOutcome.PermError, SpfProblem.TooManyVoidLookups,
                    $"more than {MaxVoidLookups} lookups found nothing ({string.Join(", ", _voids.Select(v => PostureText.Bound(v, 80)))}), the last for {mechanism.Text} (RFC 7208 §4.6.4)");
            }
        }
    }

    /// <summary>Ends the whole evaluation: a permerror or temperror anywhere is the result (RFC 7208 §4.6).</summary>
    private sealed class SpfAbort(SpfOutcome outcome, SpfProblem problem, string message) : Exception(message)
    {
        public SpfOutcome Outcome { get; } = outcome;

        public SpfProblem Problem { get; } = problem;
    }
}
