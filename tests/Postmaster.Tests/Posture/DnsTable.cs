using System.Net;
using System.Net.Sockets;
using Postmaster.Core.Posture;

namespace Postmaster.Tests.Posture;

/// <summary>
/// DNS answers from a table, for the pure posture and SPF rules: a name not in the table is
/// NXDOMAIN, a name with other records is NODATA, a name marked failing times out. Counts the
/// questions, so a test can see what was asked.
/// </summary>
internal sealed class DnsTable : IPostureDns
{
    private readonly Dictionary<string, List<string>> _txt = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<IPAddress>> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<MxHost>> _mx = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<IPAddress, List<string>> _ptr = [];
    private readonly HashSet<string> _failing = new(StringComparer.OrdinalIgnoreCase);

    public int Questions { get; private set; }

    public DnsTable Txt(string name, params string[] texts)
    {
        List(_txt, name).AddRange(texts);
        return this;
    }

    public DnsTable A(string name, params string[] addresses)
    {
        List(_addresses, name).AddRange(addresses.Select(IPAddress.Parse));
        return this;
    }

    public DnsTable Mx(string name, int preference, string host)
    {
        List(_mx, name).Add(new MxHost(preference, host));
        return this;
    }

    public DnsTable Ptr(string address, params string[] names)
    {
        var ip = IPAddress.Parse(address);
        if (!_ptr.TryGetValue(ip, out var list))
        {
            _ptr[ip] = list = [];
        }

        list.AddRange(names);
        return this;
    }

    /// <summary>Every question about this name times out.</summary>
    public DnsTable Failing(string name)
    {
        _failing.Add(name);
        return this;
    }

    public Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken cancellationToken) => Answer(name, _txt);

    public Task<DnsAnswer<IPAddress>> AddressesAsync(string name, AddressFamily family, CancellationToken cancellationToken)
    {
        Questions++;
        if (_failing.Contains(name))
        {
            return Task.FromResult(DnsAnswer.Failed<IPAddress>($"the lookup of {name} timed out"));
        }

        if (!Exists(name))
        {
            return Task.FromResult(DnsAnswer.NoSuchName<IPAddress>());
        }

        var found = _addresses.TryGetValue(name, out var all) ? all.Where(a => a.AddressFamily == family).ToList() : [];
        return Task.FromResult(DnsAnswer.Found<IPAddress>(found));
    }

    public Task<DnsAnswer<MxHost>> MxAsync(string name, CancellationToken cancellationToken) => Answer(name, _mx);

    public Task<DnsAnswer<string>> PtrAsync(IPAddress address, CancellationToken cancellationToken)
    {
        Questions++;
        if (_failing.Contains(address.ToString()))
        {
            return Task.FromResult(DnsAnswer.Failed<string>($"the PTR lookup of {address} timed out"));
        }

        return Task.FromResult(_ptr.TryGetValue(address, out var names) ? DnsAnswer.Found<string>(names) : DnsAnswer.NoSuchName<string>());
    }

    private Task<DnsAnswer<T>> Answer<T>(string name, Dictionary<string, List<T>> table)
    {
        Questions++;
        if (_failing.Contains(name))
        {
            return Task.FromResult(DnsAnswer.Failed<T>($"the lookup of {name} timed out"));
        }

        if (table.TryGetValue(name, out var records))
        {
            return Task.FromResult(DnsAnswer.Found<T>(records));
        }

        return Task.FromResult(Exists(name) ? DnsAnswer.Empty<T>() : DnsAnswer.NoSuchName<T>());
    }

    private bool Exists(string name) => _txt.ContainsKey(name) || _addresses.ContainsKey(name) || _mx.ContainsKey(name);

    private static List<T> List<T>(Dictionary<string, List<T>> table, string name)
    {
        if (!table.TryGetValue(name, out var list))
        {
            table[name] = list = [];
        }

        return list;
    }
}
