using System.Net;
using System.Net.Sockets;
using System.Text;
using Postmaster.Core.Posture;

namespace Postmaster.Tests.Posture;

/// <summary>The website check over real HTTP on loopback, found through dnsmasq: example.test → 127.0.0.1.</summary>
public sealed class WebsiteCheckTests(PostureDnsFixture fixture) : IClassFixture<PostureDnsFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_rdns_hosts_domain_is_fetched_and_its_imprint_found()
    {
        using var site = new TinySite("<html><a href=\"/impressum\">Impressum</a></html>");
        var dns = fixture.NewSession();
        var facts = await AddressFacts.GatherAsync(IPAddress.Parse("192.0.2.10"), dns, Ct);
        var closedPort = ClosedPort();
        var probe = new WebsiteProbe(new WebsiteProbeOptions { AllowPrivateTargets = true, HttpPort = site.Port, HttpsPort = closedPort, Timeout = TimeSpan.FromSeconds(5) });

        var check = await WebsiteCheck.CheckAsync(facts, enabled: true, probe, dns, Ct);

        Assert.Equal(PostureStatus.Pass, check.Status);
        Assert.Contains("http://example.test/", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_not_fetched()
    {
        var dns = fixture.NewSession();
        var facts = await AddressFacts.GatherAsync(IPAddress.Parse("192.0.2.10"), dns, Ct);

        var check = await WebsiteCheck.CheckAsync(facts, enabled: true, new WebsiteProbe(new WebsiteProbeOptions()), dns, Ct);

        Assert.Equal(PostureStatus.Fail, check.Status);
        Assert.Contains("private or local addresses", check.Detail, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Answers every request with one page, on 127.0.0.1 and a free port.</summary>
    private sealed class TinySite : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public TinySite(string body)
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = Task.Run(() => ServeAsync(body));
        }

        public int Port { get; }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }

        private async Task ServeAsync(string body)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var stream = client.GetStream();
                    var buffer = new byte[4096];
                    _ = await stream.ReadAsync(buffer, _stop.Token); // one small GET; what it asks does not matter
                    var bytes = Encoding.UTF8.GetBytes(body);
                    var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
                    await stream.WriteAsync(head, _stop.Token);
                    await stream.WriteAsync(bytes, _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException or IOException)
                {
                    return;
                }
            }
        }
    }
}
