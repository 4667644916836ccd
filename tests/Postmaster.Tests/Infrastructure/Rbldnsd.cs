using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DnsClient;

namespace Postmaster.Tests.Infrastructure;

/// <summary>rbldnsd's dataset types; see "DATASET TYPES AND FORMATS" in <c>man rbldnsd</c>.</summary>
public enum RbldnsdZoneType
{
    /// <summary>IPv4 addresses, prefixes, CIDR ranges and a-b ranges; per-entry values; the same entry listed twice answers both values.</summary>
    Ip4Set,

    /// <summary>Single IPv4 addresses sharing one default value; per-entry values are silently ignored.</summary>
    Ip4Tset,

    /// <summary>IPv4 CIDR ranges with per-entry values; longest prefix wins; <c>0.0.0.0/0</c> is allowed.</summary>
    Ip4Trie,

    /// <summary>IPv6 CIDR ranges with per-entry values; queried by the nibble-reversed name (RFC 5782 §2.4).</summary>
    Ip6Trie,

    /// <summary>IPv6 /64s written as four words (<c>2001:db8:1:2</c>) sharing one default value.</summary>
    Ip6Tset,

    /// <summary>Domain names: <c>example.com</c>, <c>*.example.com</c> (subdomains only), <c>.example.com</c> (both). A bare <c>*</c> is not a wildcard.</summary>
    DnSet,

    /// <summary>Simplified BIND records relative to the zone: <c>name [ttl] A|TXT|MX value</c>; no wildcards.</summary>
    Generic,

    /// <summary>
    /// Not data but an answer by who asks: <c>0.0.0.0/0 :127.255.255.254:text</c> makes every query of
    /// the zone that its other datasets could parse (any name for a dnset) answer that value, like
    /// Spamhaus does for public resolvers. At most one per zone, and the zone needs a non-acl dataset too
    /// (an empty dnset will do).
    /// </summary>
    Acl,
}

/// <summary>
/// One dataset of a zone. <paramref name="Name"/> is the zone, like <c>zen.spamhaus.org</c> (no trailing
/// dot); <paramref name="Data"/> is the dataset file in rbldnsd's format for <paramref name="Type"/>.
/// The same name may be given several times: rbldnsd then answers from all its datasets.
/// </summary>
public sealed record RbldnsdZone(string Name, RbldnsdZoneType Type, string Data);

/// <summary>
/// A real rbldnsd (Debian package rbldnsd) on 127.0.0.1 and a free UDP port, serving the given zones
/// from files in a fresh temp folder. Zone data that rbldnsd warns about (invalid address, duplicated
/// entry, …) makes <see cref="StartAsync"/> throw, so a typo never silently drops an entry.
/// </summary>
public sealed class RbldnsdServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly ServerProcess _process;
    private readonly string _directory;
    private bool _disposed;

    private RbldnsdServer(ServerProcess process, string directory, IPEndPoint endPoint)
    {
        _process = process;
        _directory = directory;
        EndPoint = endPoint;
        ProcessId = process.Id;
    }

    public static string? UnavailableReason => Executable is null
        ? "rbldnsd not found in /usr/sbin or on PATH: install the Debian package rbldnsd (apt-get install rbldnsd)."
        : null;

    public IPEndPoint EndPoint { get; }

    public int ProcessId { get; }

    private static string? Executable => Requirement.FindExecutable("rbldnsd", "/usr/sbin");

    public static async Task<RbldnsdServer> StartAsync(IEnumerable<RbldnsdZone> zones, CancellationToken cancellationToken = default)
    {
        Requirement.Require(UnavailableReason);
        ArgumentNullException.ThrowIfNull(zones);
        var executable = Executable!;
        var list = zones.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one zone is needed.", nameof(zones));
        }

        var directory = Directory.CreateTempSubdirectory("postmaster-rbldnsd-").FullName;
        try
        {
            var specs = WriteZoneFiles(directory, list);
            await ValidateAsync(executable, directory, specs);

            // rbldnsd binds first, so a port taken between our check and its bind shows as a quick exit: try another.
            for (var attempt = 1; ; attempt++)
            {
                var port = FreeLoopbackUdpPort();
                var server = Launch(executable, directory, specs, port);
                try
                {
                    await server.WaitUntilAnsweringAsync(list[0].Name, cancellationToken);
                    return server;
                }
                catch (PortInUseException) when (attempt < 5)
                {
                    await server.StopAsync();
                }
                catch
                {
                    await server.StopAsync();
                    throw;
                }
            }
        }
        catch
        {
            ServerProcess.DeleteDirectory(directory);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAsync();
        ServerProcess.DeleteDirectory(_directory);
    }

    private static List<string> WriteZoneFiles(string directory, List<RbldnsdZone> zones)
    {
        // Readable by the user rbldnsd drops to (rbldns) after it chroots into the folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        var specs = new List<(int Depth, string Spec)>();
        for (var i = 0; i < zones.Count; i++)
        {
            var zone = zones[i];
            ArgumentNullException.ThrowIfNull(zone);
            var name = zone.Name.TrimEnd('.');
            if (name.Length == 0 || name.Contains(':', StringComparison.Ordinal) || name.Contains(',', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
            {
                throw new ArgumentException($"Zone name '{zone.Name}' is not a plain domain name.", nameof(zones));
            }

            var type = zone.Type switch
            {
                RbldnsdZoneType.Ip4Set => "ip4set",
                RbldnsdZoneType.Ip4Tset => "ip4tset",
                RbldnsdZoneType.Ip4Trie => "ip4trie",
                RbldnsdZoneType.Ip6Trie => "ip6trie",
                RbldnsdZoneType.Ip6Tset => "ip6tset",
                RbldnsdZoneType.DnSet => "dnset",
                RbldnsdZoneType.Generic => "generic",
                RbldnsdZoneType.Acl => "acl",
                _ => throw new ArgumentOutOfRangeException(nameof(zones), zone.Type, "Unknown rbldnsd dataset type."),
            };
            var file = string.Create(CultureInfo.InvariantCulture, $"{i:D3}-{type}.txt");
            var path = Path.Combine(directory, file);
            var data = zone.Data.ReplaceLineEndings("\n");
            File.WriteAllText(path, data.EndsWith('\n') ? data : data + "\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            specs.Add((name.Split('.').Length, $"{name}:{type}:{file}"));
        }

        // "Specify a combined zone after all its subzones, or else subzones will not be consulted" (man rbldnsd):
        // deeper names first; the sort is stable, so datasets of one zone keep their order.
        return [.. specs.OrderByDescending(s => s.Depth).Select(s => s.Spec)];
    }

    /// <summary>
    /// The server only logs bad lines and carries on; a dump (-d) reads the same files with the same
    /// parser and exits, so its warnings can be checked before any query is made.
    /// </summary>
    private static async Task ValidateAsync(string executable, string directory, List<string> specs)
    {
        var (exitCode, output) = await ProcessRunner.RunAsync(executable, ["-d", "-w", directory, .. specs], StartTimeout);
        var warnings = output.Split('\n').Where(line => line.StartsWith("rbldnsd:", StringComparison.Ordinal)).ToList();
        if (exitCode != 0 || warnings.Count > 0)
        {
            throw new InvalidOperationException(
                $"rbldnsd rejected the zone data (exit code {exitCode}):\n{string.Join('\n', warnings)}\nZone specs: {string.Join(' ', specs)}");
        }
    }

    private static RbldnsdServer Launch(string executable, string directory, List<string> specs, int port)
    {
        // -n: stay in the foreground (no fork, so the PID is the server). Without -q, load errors are
        // fatal and progress is printed, which ends up in the exception if it does not start.
        string[] arguments = ["-n", "-b", $"127.0.0.1/{port}"];
        if (Environment.UserName == "root")
        {
            // As root rbldnsd chroots (so the temp folder's parents need not be reachable) and then drops
            // to user rbldns (the package creates it) before reading the files.
            arguments = [.. arguments, "-r", directory, "-w", "/", "-u", File.ReadLines("/etc/passwd").Any(l => l.StartsWith("rbldns:", StringComparison.Ordinal)) ? "rbldns" : "nobody"];
        }
        else
        {
            arguments = [.. arguments, "-w", directory];
        }

        var process = ServerProcess.Start(executable, arguments.Concat(specs));
        return new RbldnsdServer(process, directory, new IPEndPoint(IPAddress.Loopback, port));
    }

    private string Output => _process.Output;

    private async Task WaitUntilAnsweringAsync(string zone, CancellationToken cancellationToken)
    {
        // Short probes first (the socket may not be bound yet, and then the packet is simply lost),
        // longer ones later so a big zone load is not hammered.
        var probeTimeout = TimeSpan.FromMilliseconds(25);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(cancellationToken); // flushes the output readers
                var output = Output;
                var message = $"rbldnsd exited with code {_process.ExitCode} before answering on {EndPoint}: {output}";
                throw output.Contains("bind", StringComparison.OrdinalIgnoreCase) && output.Contains("in use", StringComparison.OrdinalIgnoreCase)
                    ? new PortInUseException(message)
                    : new InvalidOperationException(message);
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"rbldnsd (pid {ProcessId}) did not answer on {EndPoint} within {StartTimeout.TotalSeconds:0} s: {Output}");
            }

            try
            {
                // Any answer (even NXDOMAIN or REFUSED) means the zones are loaded: with -n the first load
                // finishes before the first packet is read.
                var client = new LookupClient(new LookupClientOptions(new NameServer(EndPoint))
                {
                    UseCache = false,
                    Timeout = probeTimeout,
                    Retries = 0,
                    ThrowDnsErrors = false,
                    UseTcpFallback = false,
                });
                await client.QueryAsync(zone, QueryType.A, QueryClass.IN, cancellationToken);
                return;
            }
            catch (DnsResponseException)
            {
                probeTimeout = TimeSpan.FromTicks(Math.Min(probeTimeout.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
                await Task.Delay(10, cancellationToken);
            }
        }
    }

    private Task StopAsync() => _process.StopAsync(entireProcessTree: false);

    private static int FreeLoopbackUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private sealed class PortInUseException(string message) : Exception(message);
}

/// <summary>A UDP socket on 127.0.0.1 that reads queries and never answers: for testing timeouts.</summary>
public sealed class UnresponsiveDnsServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _drain;

    public UnresponsiveDnsServer()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _drain = Task.Run(DrainAsync);
    }

    public IPEndPoint EndPoint { get; }

    public void Dispose()
    {
        _stop.Cancel();
        _socket.Dispose();
        try
        {
            _drain.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The drain loop ends by cancellation or a closed socket.
        }

        _stop.Dispose();
    }

    private async Task DrainAsync()
    {
        var buffer = new byte[4096];
        var any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }
}
