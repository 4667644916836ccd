namespace Postmaster.Web.Infrastructure.Templates;

/// <summary>
/// Where the provider knowledge lives (<c>Postmaster:TemplatesDirectory</c>, or the repo's
/// templates/ folder): the blocklist catalog, and one pack per provider with its rules and its
/// request templates. Blocklists, signals, incidents and requests all read from here.
/// </summary>
public sealed class TemplatesLocation(string path)
{
    public string Path { get; } = path;

    /// <summary>templates/blocklists/catalog.json.</summary>
    public string Catalog => System.IO.Path.Combine(Path, "blocklists", "catalog.json");

    /// <summary>templates/providers: one folder per provider slug.</summary>
    public string Providers => System.IO.Path.Combine(Path, "providers");

    public static TemplatesLocation Resolve(IConfiguration configuration, IHostEnvironment environment)
    {
        if (configuration["Postmaster:TemplatesDirectory"] is { Length: > 0 } configured)
        {
            return new TemplatesLocation(System.IO.Path.GetFullPath(configured));
        }

        foreach (var start in new[] { environment.ContentRootPath, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = System.IO.Path.Combine(dir.FullName, "templates");
                if (File.Exists(System.IO.Path.Combine(candidate, "blocklists", "catalog.json")))
                {
                    return new TemplatesLocation(candidate);
                }
            }
        }

        throw new InvalidOperationException(
            "Cannot find the templates folder (templates/blocklists/catalog.json). Set Postmaster:TemplatesDirectory to its path.");
    }
}
