using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Postmaster.Core.Blocklists;

/// <summary>Validates a <see cref="CatalogEntry"/> (from the catalog file or the API) into a definition.</summary>
public static partial class BlocklistDefinitionReader
{
    private static readonly string[] Severities = ["info", "low", "medium", "high"];

    public static BlocklistDefinition Read(CatalogEntry entry, string where)
    {
        var zone = (entry.Zone ?? "").Trim().TrimEnd('.').ToLowerInvariant();
        if (!ZoneName().IsMatch(zone))
        {
            throw new CatalogException($"{where}: zone '{entry.Zone}' is not a DNS zone name such as zen.spamhaus.org.");
        }

        var slug = string.IsNullOrWhiteSpace(entry.Slug) ? SlugFor(zone) : entry.Slug.Trim();
        if (!SlugPattern().IsMatch(slug))
        {
            throw new CatalogException($"{where}: slug '{slug}' may only hold lower-case letters, digits and hyphens.");
        }

        var lists = entry.Lists?.Trim().ToLowerInvariant() switch
        {
            "ip" => ListedThing.Ip,
            "domain" => ListedThing.Domain,
            _ => throw new CatalogException($"{where}: lists is '{entry.Lists}'; use \"ip\" or \"domain\"."),
        };

        if (entry.KeyedZone is { } keyed && !keyed.Contains("{key}", StringComparison.Ordinal))
        {
            throw new CatalogException($"{where}: keyedZone '{keyed}' has no {{key}} placeholder.");
        }

        var codes = new Dictionary<IPAddress, ReturnCode>();
        foreach (var (address, code) in entry.Codes)
        {
            var ip = ParseLoopbackCode(address, where, "codes");
            var severity = (code.Severity ?? "medium").ToLowerInvariant();
            if (!Severities.Contains(severity))
            {
                throw new CatalogException($"{where}: codes[{address}] severity '{code.Severity}' is not one of {string.Join(", ", Severities)}.");
            }

            codes[ip] = new ReturnCode(code.Category ?? "listed", severity, code.Meaning ?? "", code.Listed ?? true);
        }

        var errors = new Dictionary<IPAddress, string>();
        foreach (var (address, meaning) in entry.ErrorCodes)
        {
            errors[ParseLoopbackCode(address, where, "errorCodes")] = meaning;
        }

        var undocumented = entry.UndocumentedCodes?.Trim().ToLowerInvariant() switch
        {
            null or "" or "unknown" => UndocumentedCodePolicy.Unknown,
            "listed" => UndocumentedCodePolicy.Listed,
            _ => throw new CatalogException($"{where}: undocumentedCodes is '{entry.UndocumentedCodes}'; use \"unknown\" or \"listed\"."),
        };

        var policy = entry.QueryPolicy ?? new CatalogQueryPolicy();
        if (policy.FreeDailyQueries is < 0)
        {
            throw new CatalogException($"{where}: queryPolicy.freeDailyQueries may not be negative.");
        }

        var weight = Incidents.ProviderWeights.Parse(entry.Weight)
            ?? throw new CatalogException($"{where}: weight '{entry.Weight}' is not one of {Incidents.ProviderWeights.Names}.");

        return new BlocklistDefinition
        {
            Slug = slug,
            Name = string.IsNullOrWhiteSpace(entry.Name) ? zone : entry.Name.Trim(),
            Zone = zone,
            KeyedZone = entry.KeyedZone,
            Lists = lists,
            Ipv6 = entry.Ipv6 ?? false,
            Provider = (entry.Provider ?? "").Trim().ToLowerInvariant(),
            Weight = weight,
            Bitmask = entry.Bitmask,
            Codes = codes,
            ErrorCodes = errors,
            UndocumentedCodes = undocumented,
            TestPoints = new TestPoints(entry.TestPoints?.Listed ?? [], entry.TestPoints?.NotListed ?? []),
            DelistUrl = entry.DelistUrl,
            DelistProcedure = entry.DelistProcedure,
            AutoExpiry = entry.AutoExpiry,
            QueryPolicy = new QueryPolicy(policy.RefusesPublicResolvers, policy.KeyRequired, policy.FreeDailyQueries, policy.Notes),
            EnabledByDefault = entry.EnabledByDefault ?? true,
            Notes = entry.Notes,
        };
    }

    /// <summary>The inverse of <see cref="Read"/>: what the database and the API store.</summary>
    public static CatalogEntry Write(BlocklistDefinition d) => new()
    {
        Slug = d.Slug,
        Name = d.Name,
        Zone = d.Zone,
        KeyedZone = d.KeyedZone,
        Lists = d.Lists == ListedThing.Ip ? "ip" : "domain",
        Ipv6 = d.Ipv6,
        Provider = d.Provider,
        Weight = Incidents.ProviderWeights.Name(d.Weight),
        Bitmask = d.Bitmask,
        Codes = d.Codes.ToDictionary(c => c.Key.ToString(), c => new CatalogCode { Category = c.Value.Category, Severity = c.Value.Severity, Meaning = c.Value.Meaning, Listed = c.Value.Listed }),
        ErrorCodes = d.ErrorCodes.ToDictionary(c => c.Key.ToString(), c => c.Value),
        UndocumentedCodes = d.UndocumentedCodes == UndocumentedCodePolicy.Listed ? "listed" : "unknown",
        TestPoints = new CatalogTestPoints { Listed = [.. d.TestPoints.Listed], NotListed = [.. d.TestPoints.NotListed] },
        DelistUrl = d.DelistUrl,
        DelistProcedure = d.DelistProcedure,
        AutoExpiry = d.AutoExpiry,
        QueryPolicy = new CatalogQueryPolicy
        {
            RefusesPublicResolvers = d.QueryPolicy.RefusesPublicResolvers,
            KeyRequired = d.QueryPolicy.KeyRequired,
            FreeDailyQueries = d.QueryPolicy.FreeDailyQueries,
            Notes = d.QueryPolicy.Notes,
        },
        EnabledByDefault = d.EnabledByDefault,
        Notes = d.Notes,
    };

    private static IPAddress ParseLoopbackCode(string text, string where, string field)
    {
        if (!IPAddress.TryParse(text, out var ip) || ip.GetAddressBytes() is not [127, _, _, _])
        {
            throw new CatalogException($"{where}: {field} key '{text}' is not an address in 127.0.0.0/8.");
        }

        return ip;
    }

    private static string SlugFor(string zone) => string.Create(CultureInfo.InvariantCulture, $"{zone.Replace('.', '-')}");

    [GeneratedRegex("^(?=.{1,200}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$")]
    private static partial Regex ZoneName();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex SlugPattern();
}
