using System.ComponentModel.DataAnnotations;

namespace Postmaster.Web.Posture;

/// <summary>Binds <c>Postmaster:Posture</c>.</summary>
public sealed class PostureOptions
{
    public const string Section = "Postmaster:Posture";

    /// <summary>
    /// Fetch websites: the rDNS host's domain (T-Online §4.1 wants an imprint there) and MTA-STS
    /// policy files. Off by default: the app then makes no HTTP requests to names others control.
    /// </summary>
    public bool CheckWebsites { get; set; }

    /// <summary>Refresh every asset's posture on <see cref="Schedule"/>.</summary>
    public bool ScheduledRefresh { get; set; } = true;

    /// <summary>Quartz cron for the scheduled refresh; every 6 hours by default.</summary>
    [Required]
    public string Schedule { get; set; } = "0 10 0/6 * * ?";

    /// <summary>Addresses of a range whose PTR, FCrDNS, HELO and website are checked, spread from its first to its last.</summary>
    [Range(1, 256)]
    public int AddressesPerRange { get; set; } = 16;

    /// <summary>SPF evaluations per asset: sending addresses for a domain, sending domains for an address.</summary>
    [Range(1, 1000)]
    public int SpfPairs { get; set; } = 64;

    /// <summary>
    /// The Public Suffix List file (publicsuffix.org's text format), for DMARC's organisational
    /// domain. Debian's and Ubuntu's <c>publicsuffix</c> package puts it here (the Docker image
    /// installs it); without it the organisational domain is taken as the last two labels, with a
    /// warning at start-up.
    /// </summary>
    public string PublicSuffixList { get; set; } = DefaultPublicSuffixList;

    public const string DefaultPublicSuffixList = "/usr/share/publicsuffix/public_suffix_list.dat";

    /// <summary>How long one asset's refresh may take before its checks are given up as unknown.</summary>
    [Range(5, 900)]
    public int TimeoutSeconds { get; set; } = 120;
}
