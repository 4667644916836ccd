using System.Net;

namespace Postmaster.Web.Infrastructure.Mail;

/// <summary>Whether a configured mail server is this machine: the only place a password may go in clear.</summary>
public static class LoopbackHost
{
    public static bool Is(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
}
