using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Postmaster.Core.Blocklists;

/// <summary>A zone that is known to be dead, with the reason a person is shown when adding it.</summary>
public sealed record DeadZone(string Zone, bool MatchSubzones, string Reason, string? Since);

/// <summary>
/// The curated catalog (templates/blocklists/catalog.json): the lists Postmaster ships with and the
/// zones it refuses. Loaded and validated at start-up; an error names the file, the line and the entry.
/// </summary>
public sealed class BlocklistCatalog
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public BlocklistCatalog(int version, IReadOnlyList<BlocklistDefinition> lists, IReadOnlyList<DeadZone> dead)
    {
        Version = version;
        Lists = lists;
        Dead = dead;
    }

    public int Version { get; }

    public IReadOnlyList<BlocklistDefinition> Lists { get; }

    public IReadOnlyList<DeadZone> Dead { get; }

    /// <summary>The dead-zone entry that covers <paramref name="zone"/>, if any.</summary>
    public DeadZone? FindDead(string zone)
    {
        var name = zone.Trim().TrimEnd('.').ToLowerInvariant();
        return Dead.FirstOrDefault(d =>
            name == d.Zone || (d.MatchSubzones && name.EndsWith("." + d.Zone, StringComparison.Ordinal)));
    }

    public static BlocklistCatalog Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Parse(stream, path);
    }

    public static BlocklistCatalog Parse(Stream json, string sourceName)
    {
        CatalogFile file;
        try
        {
            file = JsonSerializer.Deserialize<CatalogFile>(json, Json)
                ?? throw new CatalogException($"{sourceName}: the file is empty.");
        }
        catch (JsonException e)
        {
            throw new CatalogException($"{sourceName}, line {e.LineNumber + 1}: {e.Message}", e);
        }

        var lists = new List<BlocklistDefinition>();
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < file.Lists.Count; i++)
        {
            var where = $"{sourceName}: lists[{i}] ({file.Lists[i].Slug ?? "no slug"})";
            var definition = BlocklistDefinitionReader.Read(file.Lists[i], where);
            if (!slugs.Add(definition.Slug))
            {
                throw new CatalogException($"{where}: the slug '{definition.Slug}' is used twice.");
            }

            lists.Add(definition);
        }

        var dead = file.Dead.Select(d => new DeadZone(d.Zone.Trim().TrimEnd('.').ToLowerInvariant(), d.MatchSubzones, d.Reason, d.Since)).ToList();
        return new BlocklistCatalog(file.Version, lists, dead);
    }

    internal sealed class CatalogFile
    {
        public int Version { get; set; }

        public List<CatalogEntry> Lists { get; set; } = [];

        public List<DeadEntry> Dead { get; set; } = [];
    }

    internal sealed class DeadEntry
    {
        public string Zone { get; set; } = "";

        public bool MatchSubzones { get; set; }

        public string Reason { get; set; } = "";

        public string? Since { get; set; }
    }
}

public sealed class CatalogException : Exception
{
    public CatalogException(string message)
        : base(message)
    {
    }

    public CatalogException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public CatalogException()
    {
    }
}

/// <summary>The JSON shape of one list, shared by the catalog file and the API's custom lists.</summary>
public sealed class CatalogEntry
{
    public string? Slug { get; set; }

    public string? Name { get; set; }

    public string? Zone { get; set; }

    public string? KeyedZone { get; set; }

    public string? Lists { get; set; }

    public bool? Ipv6 { get; set; }

    public string? Provider { get; set; }

    /// <summary>How much a listing here costs a sender: minor, moderate (default), major or severe.</summary>
    public string? Weight { get; set; }

    public bool Bitmask { get; set; }

    public Dictionary<string, CatalogCode> Codes { get; set; } = [];

    public Dictionary<string, string> ErrorCodes { get; set; } = [];

    public string? UndocumentedCodes { get; set; }

    public CatalogTestPoints? TestPoints { get; set; }

    public string? DelistUrl { get; set; }

    public string? DelistProcedure { get; set; }

    public string? AutoExpiry { get; set; }

    public CatalogQueryPolicy? QueryPolicy { get; set; }

    public bool? EnabledByDefault { get; set; }

    public string? Notes { get; set; }
}

public sealed class CatalogCode
{
    public string? Category { get; set; }

    public string? Severity { get; set; }

    public string? Meaning { get; set; }

    public bool? Listed { get; set; }
}

public sealed class CatalogTestPoints
{
    public List<string> Listed { get; set; } = [];

    public List<string> NotListed { get; set; } = [];
}

public sealed class CatalogQueryPolicy
{
    public bool? RefusesPublicResolvers { get; set; }

    public bool KeyRequired { get; set; }

    public long? FreeDailyQueries { get; set; }

    public string? Notes { get; set; }
}
