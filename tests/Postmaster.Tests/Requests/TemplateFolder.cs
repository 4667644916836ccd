using System.Text.Json.Nodes;

namespace Postmaster.Tests.Requests;

/// <summary>A throw-away templates/providers folder with request templates written by a test.</summary>
public sealed class TemplateFolder : IDisposable
{
    public TemplateFolder() => Directory.CreateDirectory(Providers);

    public string Root { get; } = Directory.CreateTempSubdirectory("postmaster-request-templates-").FullName;

    public string Providers => Path.Combine(Root, "providers");

    /// <summary>An email template's metadata, every key as the format orders them; change what a test is about.</summary>
    public static JsonObject Email(string to = "{{ incident.replyAddress | default: 'postmaster@example.net' }}", string subject = "Block of {{ incident.assetGroup }}") => new()
    {
        ["title"] = "Test: ask to lift a block",
        ["kind"] = "delist",
        ["channel"] = "email",
        ["language"] = "en",
        ["to"] = to,
        ["formUrl"] = null,
        ["subject"] = subject,
        ["fields"] = new JsonArray(),
        ["appliesTo"] = new JsonObject { ["kinds"] = new JsonArray(), ["zones"] = new JsonArray(), ["codes"] = new JsonArray(), ["textContains"] = new JsonArray() },
        ["needs"] = new JsonArray("company", "contactEmail"),
        ["followUpDays"] = 2,
        ["source"] = "written by a test",
    };

    public static JsonObject Form(params (string Name, string Label, string Value)[] fields)
    {
        var json = Email();
        json["channel"] = "web-form";
        json["to"] = null;
        json["subject"] = null;
        json["formUrl"] = "https://forms.example.net/delist?ip={{ incident.ips | first }}";
        json["fields"] = new JsonArray([.. fields.Select(f => (JsonNode)new JsonObject { ["name"] = f.Name, ["label"] = f.Label, ["value"] = f.Value })]);
        return json;
    }

    /// <summary>Writes <c>providers/&lt;slug&gt;/requests/&lt;name&gt;.json</c> (pretty, one key a line) and the .liquid body; null leaves a file out.</summary>
    public (string Json, string Liquid) Write(string slug, string name, JsonObject? metadata, string? body)
    {
        var folder = Path.Combine(Providers, slug, "requests");
        Directory.CreateDirectory(folder);
        var json = Path.Combine(folder, name + ".json");
        var liquid = Path.Combine(folder, name + ".liquid");
        if (metadata is not null)
        {
            File.WriteAllText(json, metadata.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        }

        if (body is not null)
        {
            File.WriteAllText(liquid, body);
        }

        return (json, liquid);
    }

    /// <summary>The line of a file that holds <paramref name="text"/> (1-based), to compare with an error's line.</summary>
    public static int LineOf(string file, string text) =>
        File.ReadAllLines(file).Select((line, i) => (line, i)).First(l => l.line.Contains(text, StringComparison.Ordinal)).i + 1;

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
