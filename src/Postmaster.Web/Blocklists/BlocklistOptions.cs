using System.ComponentModel.DataAnnotations;

namespace Postmaster.Web.Blocklists;

/// <summary>Binds <c>Postmaster:Blocklists</c>.</summary>
public sealed class BlocklistOptions
{
    public const string Section = "Postmaster:Blocklists";

    /// <summary>Quartz cron expression for scheduled sweeps; every 30 minutes by default.</summary>
    [Required]
    public string SweepSchedule { get; set; } = "0 0/30 * * * ?";

    public bool ScheduledSweeps { get; set; } = true;

    /// <summary>
    /// DNS queries in flight at once, all chunks of this instance together. dnsperf's default (100) is
    /// about what one rbldnsd's socket buffer absorbs; a recursive resolver takes more.
    /// </summary>
    [Range(1, 4096)]
    public int Concurrency { get; set; } = 64;

    /// <summary>Targets (addresses or domains) per chunk; each chunk is one Quartz job.</summary>
    [Range(16, 65536)]
    public int ChunkSize { get; set; } = 4096;

    /// <summary>
    /// A look-up runs a list's RFC 5782 test points again when its last health check is older than
    /// this, so it never answers from a list that stopped working since the last sweep. 0: every time.
    /// </summary>
    [Range(0, 10080, ErrorMessage = "Postmaster:Blocklists:HealthMaxAgeMinutes must be between 0 and 10080 (a week); the default is 30.")]
    public int HealthMaxAgeMinutes { get; set; } = 30;
}

/// <summary>Binds <c>Postmaster:Dns</c>.</summary>
public sealed class DnsOptions
{
    public const string Section = "Postmaster:Dns";

    /// <summary>"host:port" resolvers; empty means the system's. Use your own recursive resolver: Spamhaus and others refuse public ones.</summary>
    public List<string> Servers { get; set; } = [];

    [Range(0.1, 30)]
    public double TimeoutSeconds { get; set; } = 2;

    [Range(0, 5)]
    public int Retries { get; set; } = 1;
}
