using System.Globalization;
using System.Text;
using Postmaster.Core.Signals;

namespace Postmaster.Bench.Logs;

/// <summary>
/// Writes a day of an outbound Postfix relay's mail log, deterministic for a seed: messages arrive over
/// smtpd, pass cleanup and qmgr, and are delivered by smtp to a mix of mailbox providers and corporate
/// gateways (most sent, some deferred and retried, some bounced, with the real reply texts of the provider
/// packs' examples.json), with the connection, TLS, anvil and warning lines a real log has between them.
/// </summary>
internal sealed class PostfixLogGenerator
{
    private const string Host = "relay1";
    private const string SenderDomain = "news.example.com";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly string[] Commands = ["RCPT TO", "end of DATA", "MAIL FROM"];
    private static readonly string[] Operators = ["spamhaus", "spamcop", "barracuda", "uceprotect", "psbl", "sorbs", "abusix", "cloudmark"];
    private static readonly string[] FirstNames = ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "ivy", "jan", "kim", "lea", "max", "nina", "otto", "paul"];

    private readonly Random _random;
    private readonly TextWriter _out;
    private readonly List<Destination> _destinations;
    private readonly int _totalWeight;
    private readonly string[] _genericBounces;
    private readonly string[] _operatorBounces;
    private readonly List<Retry> _retries = [];
    private DateTime _now = new(2026, 11, 22, 0, 0, 0, DateTimeKind.Utc);
    private long _written;
    private long _queueCounter = 0x3A000;
    private int _connectionLeft;
    private string _client = "";
    private int _smtpdPid;

    private PostfixLogGenerator(Random random, TextWriter output, IReadOnlyList<ProviderExample> examples)
    {
        _random = random;
        _out = output;
        var byPack = examples.GroupBy(e => e.Pack).ToDictionary(g => g.Key, g => g.Select(e => e.Response).ToArray(), StringComparer.Ordinal);
        string[] Of(string pack) => byPack.GetValueOrDefault(pack) ?? [];
        _genericBounces = Of("generic").Where(r => !r.StartsWith('4')).ToArray();
        _operatorBounces = Operators.SelectMany(Of).Where(r => r.StartsWith('5')).ToArray();
        _destinations = Destinations(Of);
        _totalWeight = _destinations.Sum(d => d.Weight);
    }

    public static int Write(string file, long lines, int seed, string providersDirectory)
    {
        using var writer = new StreamWriter(file, append: false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        var generator = new PostfixLogGenerator(new Random(seed), writer, ProviderPackLoader.LoadExamples(providersDirectory));
        while (generator._written < lines)
        {
            generator.Message();
        }

        Console.WriteLine(string.Create(Inv, $"lines={generator._written}"));
        return 0;
    }

    private List<Destination> Destinations(Func<string, string[]> examples)
    {
        Destination Receiver(string pack, int weight, string[] domains, string[] mx, string[] ips, Func<string> sent) =>
            new(weight, _ => domains[_random.Next(domains.Length)], _ => mx[_random.Next(mx.Length)], ips, examples(pack), sent);

        Destination Corporate(string pack, int weight, Func<string, string> mx, string[] ips, Func<string> sent) =>
            new(weight, _ => $"corp{_random.Next(1, 400)}.example", domain => mx(domain), ips, examples(pack), sent);

        return
        [
            Receiver("google", 300, ["gmail.com", "googlemail.com"], ["gmail-smtp-in.l.google.com", "alt1.gmail-smtp-in.l.google.com", "alt2.gmail-smtp-in.l.google.com"], ["142.250.102.27", "142.251.9.26", "64.233.184.27"], GoogleSent),
            Receiver("microsoft", 180, ["outlook.com", "hotmail.com", "live.com", "msn.com", "hotmail.de", "hotmail.fr"], ["outlook-com.olc.protection.outlook.com", "hotmail-com.olc.protection.outlook.com"], ["52.101.42.5", "52.101.68.12", "52.101.11.0"], MicrosoftSent),
            Receiver("yahoo", 90, ["yahoo.com", "yahoo.fr", "ymail.com", "yahoo.de"], ["mta5.am0.yahoodns.net", "mta6.am0.yahoodns.net", "mta7.am0.yahoodns.net"], ["67.195.204.72", "98.136.96.77", "67.195.228.106"], () => "250 ok dirdel"),
            Receiver("t-online", 40, ["t-online.de", "magenta.de"], ["mx00.t-online.de", "mx01.t-online.de", "mx02.t-online.de", "mx03.t-online.de"], ["194.25.134.8", "194.25.134.9", "194.25.134.72"], () => "250 2.0.0 Message accepted."),
            Receiver("gmx-webde", 50, ["gmx.de", "gmx.net", "web.de"], ["mx00.emig.gmx.net", "mx01.emig.gmx.net", "mx-ha03.web.de"], ["212.227.15.9", "212.227.17.26"], () => $"250 Requested mail action okay, completed: id={Token(8)}-{Token(10)}-{Token(8)}"),
            Receiver("apple", 40, ["icloud.com", "me.com", "mac.com"], ["mx01.mail.icloud.com", "mx02.mail.icloud.com"], ["17.57.155.23", "17.42.251.41"], QueuedSent),
            Receiver("comcast", 15, ["comcast.net"], ["mx1a1.comcast.net", "mx2c1.comcast.net"], ["96.114.157.80", "68.87.20.5"], QueuedSent),
            Receiver("att", 10, ["att.net", "sbcglobal.net", "bellsouth.net"], ["ff-ip4-mx-vip1.prodigy.net", "ff-ip4-mx-vip2.prodigy.net"], ["144.160.235.143", "144.160.235.144"], QueuedSent),
            Receiver("orange", 15, ["orange.fr", "wanadoo.fr"], ["smtp-in.orange.fr"], ["80.12.242.10", "193.252.22.68"], () => $"250 2.0.0 {Token(16)} mail accepted for delivery"),
            Receiver("free", 10, ["free.fr"], ["mx1.free.fr", "mx2.free.fr"], ["212.27.48.6", "212.27.48.7"], QueuedSent),
            Receiver("mailru", 8, ["mail.ru", "inbox.ru", "bk.ru"], ["mxs.mail.ru"], ["94.100.180.31", "217.69.139.150"], () => $"250 OK id=1t{Token(5)}-00000{Token(5)}-{Token(2)}"),
            Receiver("yandex", 7, ["yandex.ru", "ya.ru"], ["mx.yandex.ru"], ["77.88.21.249", "5.255.255.88"], () => $"250 2.0.0 Ok: queued on mail-nwsmtp-mxfront-production-main-{_random.Next(10, 99)}.iva.yp-c.yandex.net 1732{_random.Next(100000, 999999)}-{Token(8)}"),
            Corporate("proofpoint", 40, d => $"mxa-00{_random.Next(1000, 9999)}01.gslb.pphosted.com", ["148.163.156.1", "148.163.152.77"], () => $"250 2.0.0 4{Token(7)}-1 Message accepted for delivery"),
            Corporate("mimecast", 30, _ => _random.Next(2) == 0 ? "eu-smtp-inbound-1.mimecast.com" : "us-smtp-inbound-1.mimecast.com", ["195.130.217.221", "205.139.110.242"], () => $"250 {Token(22)}-1 Message accepted"),
            Corporate("barracuda", 10, _ => $"d{_random.Next(100000, 999999)}a.ess.barracudanetworks.com", ["209.222.82.253", "64.235.154.33"], () => $"250 Ok: queued as {Token(10)}"),
            Corporate("cisco", 10, d => $"mx1.{d.Replace(".example", "", StringComparison.Ordinal)}.iphmx.com", ["68.232.129.11", "68.232.135.96"], QueuedSent),
            Corporate("microsoft", 50, d => $"{d.Replace('.', '-')}.mail.protection.outlook.com", ["52.101.62.10", "52.101.194.18"], MicrosoftSent),
            Corporate("google", 30, _ => "aspmx.l.google.com", ["142.250.153.27", "142.250.153.26"], GoogleSent),
            new(60, _ => $"mail{_random.Next(1, 3000)}.example.net", d => $"mx.{d}", ["192.0.2.25", "198.51.100.30", "203.0.113.40"], [.. _genericBounces, .. _operatorBounces, .. examples("generic").Where(r => r.StartsWith('4'))], QueuedSent),
        ];
    }

    private void Message()
    {
        _now = _now.AddSeconds(_random.NextDouble() * 0.6);
        FlushRetries();
        if (_connectionLeft-- <= 0)
        {
            if (_client.Length > 0)
            {
                Line($"postfix/smtpd[{_smtpdPid}]", $"disconnect from {_client} ehlo=2 starttls=1 mail=8 rcpt=9 data=8 quit=1 commands=29");
            }

            _smtpdPid = _random.Next(10_000, 10_400);
            var app = _random.Next(1, 9);
            _client = $"app{app}.{SenderDomain}[10.1.0.{app}]";
            _connectionLeft = _random.Next(3, 12);
            Line($"postfix/smtpd[{_smtpdPid}]", $"connect from {_client}");
            if (_random.Next(20) == 0)
            {
                Line($"postfix/anvil[880]", $"statistics: max connection rate 4/60s for (smtp:10.1.0.{app}) at {Stamp()}");
            }
        }

        var queueId = (++_queueCounter * 2654435761L % 0xFFFFFFFFFL).ToString("X10", Inv);
        var recipients = _random.Next(10) < 8 ? 1 : _random.Next(2, 4);
        Line($"postfix/smtpd[{_smtpdPid}]", $"{queueId}: client={_client}");
        Line($"postfix/cleanup[{_random.Next(12_000, 12_010)}]", $"{queueId}: message-id=<{_now:yyyyMMddHHmmss}.{queueId}@{SenderDomain}>");
        if (_random.Next(4) == 0)
        {
            Line("opendkim[812]", $"{queueId}: DKIM-Signature field added (s=s2026, d={SenderDomain})");
        }

        var size = _random.Next(4_000, 90_000);
        Line("postfix/qmgr[900]", $"{queueId}: from=<bounce+{queueId}@{SenderDomain}>, size={size}, nrcpt={recipients} (queue active)");
        var done = true;
        var bounced = false;
        for (var i = 0; i < recipients; i++)
        {
            var destination = Pick();
            var domain = destination.Domain(destination);
            var recipient = $"{FirstNames[_random.Next(FirstNames.Length)]}.{_random.Next(1, 200_000)}@{domain}";
            var roll = _random.Next(1000);
            var status = roll < 905 ? DeliveryStatus.Delivered : roll < 965 ? DeliveryStatus.Deferred : DeliveryStatus.Bounced;
            Deliver(queueId, recipient, domain, destination, status, 0);
            done &= status != DeliveryStatus.Deferred;
            bounced |= status == DeliveryStatus.Bounced;
            if (status == DeliveryStatus.Deferred)
            {
                _retries.Add(new Retry(queueId, recipient, domain, destination, size, 1, _now.AddMinutes(_random.Next(5, 60))));
            }
        }

        if (bounced)
        {
            Line($"postfix/bounce[{_random.Next(13_000, 13_010)}]", $"{queueId}: sender non-delivery notification: {(++_queueCounter * 2654435761L % 0xFFFFFFFFFL).ToString("X10", Inv)}");
        }

        if (done)
        {
            Line("postfix/qmgr[900]", $"{queueId}: removed");
        }

        if (_random.Next(400) == 0)
        {
            Line($"postfix/smtpd[{_smtpdPid}]", "warning: hostname scanner.example.biz does not resolve to address 198.51.100.7: Name or service not known");
        }
    }

    private void FlushRetries()
    {
        for (var i = 0; i < _retries.Count; i++)
        {
            var retry = _retries[i];
            if (retry.Due > _now)
            {
                continue;
            }

            _retries.RemoveAt(i--);
            Line("postfix/qmgr[900]", $"{retry.QueueId}: from=<bounce+{retry.QueueId}@{SenderDomain}>, size={retry.Size}, nrcpt=1 (queue active)");
            if (retry.Attempt >= 4)
            {
                Line("postfix/qmgr[900]", $"{retry.QueueId}: from=<bounce+{retry.QueueId}@{SenderDomain}>, status=expired, returned to sender");
                Line("postfix/qmgr[900]", $"{retry.QueueId}: removed");
                continue;
            }

            var status = _random.Next(3) == 0 ? DeliveryStatus.Deferred : DeliveryStatus.Delivered;
            Deliver(retry.QueueId, retry.Recipient, retry.Domain, retry.Destination, status, retry.Attempt);
            if (status == DeliveryStatus.Deferred)
            {
                _retries.Add(retry with { Attempt = retry.Attempt + 1, Due = _now.AddMinutes(_random.Next(30, 240)) });
            }
            else
            {
                Line("postfix/qmgr[900]", $"{retry.QueueId}: removed");
            }
        }
    }

    private void Deliver(string queueId, string recipient, string domain, Destination destination, DeliveryStatus status, int attempt)
    {
        var pid = $"postfix/smtp[{_random.Next(20_000, 20_200)}]";
        var mx = destination.Mx(domain);
        var ip = destination.Ips[_random.Next(destination.Ips.Length)];
        if (_random.Next(3) == 0)
        {
            Line(pid, $"Trusted TLS connection established to {mx}[{ip}]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256");
        }

        var delay = 0.2 + (_random.NextDouble() * 2) + (attempt * 1800);
        var delays = string.Create(Inv, $"{_random.NextDouble() * 0.05:0.##}/{_random.NextDouble() * 0.02:0.##}/{_random.NextDouble() * 0.5:0.##}/{_random.NextDouble():0.##}");
        var relay = $"{mx}[{ip}]:25";
        string dsn;
        string text;
        switch (status)
        {
            case DeliveryStatus.Delivered:
                dsn = "2.0.0";
                text = destination.Sent();
                break;
            case DeliveryStatus.Deferred:
                var deferrals = destination.Replies.Where(r => r.StartsWith('4')).ToArray();
                if (deferrals.Length > 0 && _random.Next(10) < 7)
                {
                    var reply = FreshIds(deferrals[_random.Next(deferrals.Length)]);
                    dsn = EnhancedCode(reply) ?? "4.0.0";
                    text = $"host {mx}[{ip}] said: {reply} (in reply to {Commands[_random.Next(Commands.Length)]} command)";
                }
                else
                {
                    dsn = "4.4.1";
                    relay = "none";
                    text = _random.Next(3) == 0
                        ? $"lost connection with {mx}[{ip}] while receiving the initial server greeting"
                        : $"connect to {mx}[{ip}]:25: Connection timed out";
                    if (text.StartsWith("lost", StringComparison.Ordinal))
                    {
                        dsn = "4.4.2";
                        relay = $"{mx}[{ip}]:25";
                    }
                }

                break;
            default:
                var bounces = destination.Replies.Where(r => !r.StartsWith('4')).ToArray();
                var pool = bounces.Length > 0 && _random.Next(10) < 8 ? bounces : _genericBounces;
                var bounce = FreshIds(pool[_random.Next(pool.Length)]);
                dsn = EnhancedCode(bounce) ?? "5.0.0";
                text = $"host {mx}[{ip}] said: {bounce} (in reply to {Commands[_random.Next(Commands.Length)]} command)";
                break;
        }

        var statusWord = status switch
        {
            DeliveryStatus.Delivered => "sent",
            DeliveryStatus.Deferred => "deferred",
            _ => "bounced",
        };
        Line(pid, string.Create(Inv, $"{queueId}: to=<{recipient}>, relay={relay}, delay={delay:0.##}, delays={delays}, dsn={dsn}, status={statusWord} ({text})"));
    }

    private Destination Pick()
    {
        var roll = _random.Next(_totalWeight);
        foreach (var destination in _destinations)
        {
            roll -= destination.Weight;
            if (roll < 0)
            {
                return destination;
            }
        }

        return _destinations[^1];
    }

    private void Line(string program, string message)
    {
        _out.Write(Stamp());
        _out.Write(' ');
        _out.Write(Host);
        _out.Write(' ');
        _out.Write(program);
        _out.Write(": ");
        _out.WriteLine(message);
        _written++;
    }

    /// <summary>Classic syslog time: "Nov 22 09:05:01" (day padded with a space).</summary>
    private string Stamp() => string.Create(Inv, $"{Months[_now.Month - 1]} {_now.Day,2} {_now:HH:mm:ss}");

    private string GoogleSent() => string.Create(Inv, $"250 2.0.0 OK  {1_795_300_000 + _random.Next(100_000)} {Token(13, hex: true)}-{Token(11, hex: true)}si{_random.Next(1_000_000, 9_999_999)}{Token(3)}.{_random.Next(1, 999)} - gsmtp");

    private string MicrosoftSent() => string.Create(Inv, $"250 2.6.0 <{_now:yyyyMMddHHmmss}.{Token(10)}@{SenderDomain}> [InternalId={_random.NextInt64(1_000_000_000_000, 9_999_999_999_999)}, Hostname=AM{_random.Next(0, 9)}PR0{_random.Next(1, 9)}MB{_random.Next(1000, 9999)}.eurprd0{_random.Next(1, 9)}.prod.outlook.com] {_random.Next(4000, 90000)} bytes in 0.{_random.Next(100, 999)}, {_random.NextDouble() * 200:0.###} KB/sec Queued mail for delivery -> 250 2.1.5");

    /// <summary>Gmail ends each reply with a per-message id ("… k10si2978071qtp.33 - gsmtp"): give each line its own.</summary>
    private string FreshIds(string reply)
    {
        if (!reply.EndsWith(" - gsmtp", StringComparison.Ordinal))
        {
            return reply;
        }

        var idStart = reply.LastIndexOf(' ', reply.Length - 9) + 1;
        return string.Create(Inv, $"{reply[..idStart]}{Token(2)}{_random.Next(10, 99)}si{_random.Next(1_000_000, 9_999_999)}{Token(3)}.{_random.Next(1, 999)} - gsmtp");
    }

    private string QueuedSent() => $"250 2.0.0 Ok: queued as {Token(12)}";

    private string Token(int length, bool hex = false)
    {
        const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = Alphabet[_random.Next(hex ? 16 : Alphabet.Length)];
        }

        return new string(chars);
    }

    private static string? EnhancedCode(string reply)
    {
        if (reply.Length < 9 || !char.IsAsciiDigit(reply[0]) || reply[3] is not (' ' or '-'))
        {
            return null;
        }

        var end = reply.IndexOf(' ', 4);
        var code = end < 0 ? null : reply[4..end];
        return code is not null && code.Length >= 5 && code[1] == '.' && code[0] == reply[0] ? code : null;
    }

    private sealed record Destination(int Weight, Func<Destination, string> Domain, Func<string, string> Mx, string[] Ips, string[] Replies, Func<string> Sent);

    private sealed record Retry(string QueueId, string Recipient, string Domain, Destination Destination, int Size, int Attempt, DateTime Due);
}
