using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace Postmaster.Tests.Infrastructure;

/// <summary>
/// The records a <see cref="DnsmasqServer"/> serves, as dnsmasq options. Names under a
/// <see cref="Local"/> domain that have no record answer NXDOMAIN (or NODATA for another type),
/// as an authoritative server would; a <see cref="Forward"/>ed domain is asked of another server.
/// </summary>
public sealed class DnsmasqZone
{
    private readonly List<string> _options = [];

    public IReadOnlyList<string> Options => _options;

    /// <summary>dnsmasq answers names under this domain from its records only: NXDOMAIN for the rest.</summary>
    public DnsmasqZone Local(string domain) => Add($"--local=/{Name(domain)}/");

    /// <summary>One TXT record; several strings are sent as several character-strings, as long keys are.</summary>
    public DnsmasqZone Txt(string name, params string[] strings) =>
        Add($"--txt-record={Name(name)},{string.Join(',', strings.Select(Plain))}");

    /// <summary>An A or AAAA record (dnsmasq adds the matching PTR too).</summary>
    public DnsmasqZone Host(string name, string address) => Add($"--host-record={Name(name)},{IPAddress.Parse(address)}");

    public DnsmasqZone Reverse(string address, string name) => Add($"--ptr-record={IPAddress.Parse(address).GetArpaName().TrimEnd('.')},{Name(name)}");

    public DnsmasqZone Mx(string domain, string host, int preference) => Add($"--mx-host={Name(domain)},{Name(host)},{preference}");

    /// <summary>Queries for names under <paramref name="domain"/> go to <paramref name="server"/> (an unresponsive one makes them time out).</summary>
    public DnsmasqZone Forward(string domain, IPEndPoint server) => Add($"--server=/{Name(domain)}/{server.Address}#{server.Port}");

    private DnsmasqZone Add(string option)
    {
        _options.Add(option);
        return this;
    }

    private static string Name(string name)
    {
        var trimmed = name.TrimEnd('.');
        if (trimmed.Length == 0 || trimmed.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')))
        {
            throw new ArgumentException($"'{name}' is not a plain DNS name.", nameof(name));
        }

        return trimmed;
    }

    // On the command line dnsmasq splits a TXT record's strings at commas and keeps quotes as they are.
    private static string Plain(string text) =>
        text.Any(c => c is < ' ' or > '~' or ',' or '"' or '\\')
            ? throw new ArgumentException("TXT strings here are printable ASCII without commas, quotes or backslashes.", nameof(text))
            : text;
}

/// <summary>
/// A real dnsmasq (Debian package dnsmasq-base) on 127.0.0.1 and a free port, serving the records
/// of a <see cref="DnsmasqZone"/> and nothing else: no resolv.conf, no /etc/hosts, no config file.
/// Started in the foreground (its PID is the server) and stopped by that PID.
/// </summary>
public sealed class DnsmasqServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly ServerProcess _process;

    private DnsmasqServer(ServerProcess process, IPEndPoint endPoint)
    {
        _process = process;
        EndPoint = endPoint;
    }

    public static string? UnavailableReason => Executable is null
        ? "dnsmasq not found in /usr/sbin or on PATH: install the Debian package dnsmasq-base (apt-get install dnsmasq-base)."
        : null;

    public IPEndPoint EndPoint { get; }

    public int ProcessId => _process.Id;

    private static string? Executable => Requirement.FindExecutable("dnsmasq", "/usr/sbin");

    public static async Task<DnsmasqServer> StartAsync(DnsmasqZone zone, CancellationToken cancellationToken = default)
    {
        Requirement.Require(UnavailableReason);
        for (var attempt = 1; ; attempt++)
        {
            var port = FreeLoopbackUdpPort();
            string[] arguments =
            [
                "--keep-in-foreground", "--no-resolv", "--no-hosts", "--no-poll", "--conf-file=/dev/null", "--pid-file=",
                "--bind-interfaces", "--listen-address=127.0.0.1", $"--port={port}", "--cache-size=0", "--log-facility=-",
            ];
            if (Environment.UserName == "root")
            {
                arguments = [.. arguments, "--user=nobody"]; // the package's own user comes with the dnsmasq package, not dnsmasq-base
            }

            var server = new DnsmasqServer(ServerProcess.Start(Executable!, arguments.Concat(zone.Options)), new IPEndPoint(IPAddress.Loopback, port));
            try
            {
                await server.WaitUntilAnsweringAsync(cancellationToken);
                return server;
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
                await server.DisposeAsync();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync() => await _process.StopAsync(entireProcessTree: false);

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken);
                throw new InvalidOperationException($"dnsmasq exited with code {_process.ExitCode} before answering on {EndPoint}: {_process.Output}");
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"dnsmasq (pid {ProcessId}) did not answer on {EndPoint} within {StartTimeout.TotalSeconds:0} s: {_process.Output}");
            }

            try
            {
                var client = new LookupClient(new LookupClientOptions(new NameServer(EndPoint))
                {
                    UseCache = false,
                    Timeout = TimeSpan.FromMilliseconds(100),
                    Retries = 0,
                    ThrowDnsErrors = false,
                });
                await client.QueryAsync("ready.invalid", QueryType.A, QueryClass.IN, cancellationToken);
                return;
            }
            catch (DnsResponseException)
            {
                await Task.Delay(20, cancellationToken);
            }
        }
    }

    private static int FreeLoopbackUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
