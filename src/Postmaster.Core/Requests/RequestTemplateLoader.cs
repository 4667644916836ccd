using System.Text.Json;
using System.Text.RegularExpressions;
using Postmaster.Core.Signals;

namespace Postmaster.Core.Requests;

/// <summary>
/// Reads every templates/providers/&lt;slug&gt;/requests/&lt;name&gt;.json with its .liquid body and
/// checks the shape the format gives them (templates/providers/REQUESTS.md), parsing every Liquid
/// text. Every problem of every file is collected, each naming the file and line, so one start-up
/// says all there is to fix.
/// </summary>
public static partial class RequestTemplateLoader
{
    public const string Folder = "requests";

    private static readonly string[] Keys =
        ["title", "kind", "channel", "language", "to", "formUrl", "subject", "fields", "appliesTo", "needs", "followUpDays", "expiresAfterHours", "source"];

    private static readonly string[] AppliesToKeys = ["kinds", "zones", "codes", "textContains"];

    private static readonly string[] FieldKeys = ["name", "label", "value"];

    public static IReadOnlyList<RequestTemplate> LoadAll(string providersDirectory)
    {
        var (templates, problems) = Read(providersDirectory);
        return problems.Count > 0 ? throw new RequestTemplateException(Summary(problems)) : templates;
    }

    /// <summary>The templates that load, and one line per file that does not.</summary>
    public static (IReadOnlyList<RequestTemplate> Templates, IReadOnlyList<string> Problems) Read(string providersDirectory)
    {
        var templates = new List<RequestTemplate>();
        var problems = new List<string>();
        if (!Directory.Exists(providersDirectory))
        {
            return (templates, problems);
        }

        foreach (var pack in Directory.GetDirectories(providersDirectory).Order(StringComparer.Ordinal))
        {
            var folder = Path.Combine(pack, Folder);
            if (!Directory.Exists(folder))
            {
                continue;
            }

            var slug = Path.GetFileName(pack);
            var names = Directory.GetFiles(folder)
                .Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".liquid", StringComparison.Ordinal))
                .GroupBy(f => Path.GetFileNameWithoutExtension(f)!, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal);
            foreach (var name in names)
            {
                var json = Path.Combine(folder, name.Key + ".json");
                var liquid = Path.Combine(folder, name.Key + ".liquid");
                if (!NamePattern().IsMatch(name.Key))
                {
                    problems.Add($"{name.First()}: a template's name may only hold lower-case letters, digits and hyphens (its id is '{slug}/<name>').");
                }
                else if (!File.Exists(json))
                {
                    problems.Add($"{liquid}: the body has no metadata beside it; add {Path.GetFileName(json)}.");
                }
                else if (!File.Exists(liquid))
                {
                    problems.Add($"{json}: the template has no body beside it; add {Path.GetFileName(liquid)}.");
                }
                else
                {
                    try
                    {
                        templates.Add(Load(json, liquid, slug, name.Key));
                    }
                    catch (RequestTemplateException e)
                    {
                        problems.Add(e.Message);
                    }
                }
            }
        }

        return (templates, problems);
    }

    /// <summary>All problems in one message, one per line, under a sentence that says what they stop.</summary>
    public static string Summary(IReadOnlyList<string> problems) =>
        $"{problems.Count} request template problem{(problems.Count == 1 ? "" : "s")} (fix the file, or move it out of templates/providers, and start again):\n"
        + string.Join('\n', problems.Select(p => "  " + p));

    public static RequestTemplate Load(string jsonFile, string liquidFile, string slug, string name)
    {
        var bytes = File.ReadAllBytes(jsonFile);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new RequestTemplateException($"{jsonFile}, line {(e.LineNumber ?? 0) + 1}: not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var lines = JsonLines.Of(bytes);
            var file = new TemplateFile(jsonFile, lines);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw file.Error("", "the file must hold one JSON object with the template's metadata.");
            }

            file.OnlyKeys(root, "", Keys);
            var title = file.Text(root, "title") ?? throw file.Error("title", "title must say what the request is, as the template picker shows it.");
            var kind = RequestNames.ParseKind(file.Text(root, "kind"))
                ?? throw file.Error("kind", $"kind must be one of {RequestNames.KindNames}.");
            var channel = RequestNames.ParseChannel(file.Text(root, "channel"))
                ?? throw file.Error("channel", $"channel must be one of {RequestNames.ChannelNames}.");
            var language = file.Text(root, "language") is { } lang && LanguageTag().IsMatch(lang)
                ? lang
                : throw file.Error("language", "language must be a BCP 47 tag such as en or de.");
            var to = file.Liquid(root, "to");
            var formUrl = file.Liquid(root, "formUrl");
            var subject = file.Liquid(root, "subject");
            if (channel == RequestChannel.Email && (to is null || subject is null))
            {
                throw file.Error(to is null ? "to" : "subject", "an email template needs \"to\" (the address, Liquid allowed) and \"subject\".");
            }

            if (channel.IsForm() && formUrl is null)
            {
                throw file.Error("formUrl", $"a {channel.ToApi()} template needs \"formUrl\": the page the person opens.");
            }

            var fields = file.Fields(root);
            if (channel == RequestChannel.Email && fields.Count > 0)
            {
                throw file.Error("fields", "an email template has no form fields: \"fields\": [].");
            }

            var followUp = file.Number(root, "followUpDays", optional: false, min: 0, max: 60);
            var expires = file.Number(root, "expiresAfterHours", optional: true, min: 1, max: 24 * 366);
            if (channel == RequestChannel.AutoExpiry && expires is null)
            {
                throw file.Error("channel", "an auto-expiry template needs \"expiresAfterHours\": the list's own expiry (UCEPROTECT L1: 168).");
            }

            if (channel != RequestChannel.AutoExpiry && expires is not null)
            {
                throw file.Error("expiresAfterHours", "expiresAfterHours is only for the auto-expiry channel.");
            }

            var needs = file.Strings(root, "needs");
            if (needs.FirstOrDefault(n => !OrganisationFacts.FactNames.Contains(n, StringComparer.Ordinal)) is { } unknown)
            {
                throw file.Error("needs", $"'{unknown}' is not an organisation fact; needs takes {string.Join(", ", OrganisationFacts.FactNames)}.");
            }

            var body = RequestRenderer.Parse(ReadBody(liquidFile), liquidFile, 1, "the body");
            return new RequestTemplate(
                $"{slug}/{name}",
                slug,
                name,
                title,
                kind,
                channel,
                language,
                to,
                formUrl,
                subject,
                fields,
                file.AppliesTo(root),
                needs,
                followUp,
                expires,
                file.Text(root, "source") ?? throw file.Error("source", "source must say where the channel, fields and facts were read (URL and date)."),
                body);
        }
    }

    private static string ReadBody(string liquidFile)
    {
        var info = new FileInfo(liquidFile);
        if (info.Length > RequestRenderer.MaxSourceLength * 4)
        {
            throw new RequestTemplateException($"{liquidFile}, line 1: the body is {info.Length:N0} bytes; a template text takes at most {RequestRenderer.MaxSourceLength:N0} characters.");
        }

        return File.ReadAllText(liquidFile).Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    [GeneratedRegex("^[a-z0-9-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$", RegexOptions.CultureInvariant)]
    private static partial Regex LanguageTag();

    /// <summary>One metadata file being read: its values by path, and errors that name its line.</summary>
    private sealed class TemplateFile(string path, Dictionary<string, int> lines)
    {
        public RequestTemplateException Error(string at, string message) =>
            new($"{path}, line {LineOf(at)}: {message}");

        private int LineOf(string at) => lines.TryGetValue(at, out var line) ? line : 1;

        public void OnlyKeys(JsonElement element, string at, string[] expected)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!expected.Contains(property.Name, StringComparer.Ordinal))
                {
                    throw Error(Join(at, property.Name), $"'{property.Name}' is not a key of {(at.Length == 0 ? "a request template" : at)}; the keys are {string.Join(", ", expected)}.");
                }
            }
        }

        /// <summary>A required non-blank string, or null when the key holds JSON null.</summary>
        public string? Text(JsonElement element, string key)
        {
            if (!element.TryGetProperty(key, out var value))
            {
                throw Error("", $"\"{key}\" is missing; a request template has {string.Join(", ", Keys.Where(k => k != "expiresAfterHours"))}.");
            }

            return value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String when !string.IsNullOrWhiteSpace(value.GetString()) => value.GetString()!.Trim(),
                _ => throw Error(key, $"\"{key}\" must be a non-empty string or null."),
            };
        }

        public LiquidText? Liquid(JsonElement element, string key) =>
            Text(element, key) is { } text ? RequestRenderer.Parse(text, path, LineOf(key), key) : null;

        public int? Number(JsonElement element, string key, bool optional, int min, int max)
        {
            if (!element.TryGetProperty(key, out var value))
            {
                return optional ? null : throw Error("", $"\"{key}\" is missing (a number of days, or null for the pack's remediation.followUpDays).");
            }

            if (value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n >= min && n <= max
                ? n
                : throw Error(key, $"\"{key}\" must be a whole number from {min} to {max}, or null.");
        }

        public List<string> Strings(JsonElement element, string key, string at = "")
        {
            var where = Join(at, key);
            if (!element.TryGetProperty(key, out var value) || value.ValueKind != JsonValueKind.Array)
            {
                throw Error(where, $"\"{key}\" must be an array of strings ([] for none).");
            }

            var items = new List<string>();
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                items.Add(item.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(item.GetString())
                    ? item.GetString()!.Trim()
                    : throw Error($"{where}[{i}]", $"{where}[{i}] must be a non-empty string."));
                i++;
            }

            return items;
        }

        public List<TemplateField> Fields(JsonElement root)
        {
            if (!root.TryGetProperty("fields", out var value) || value.ValueKind != JsonValueKind.Array)
            {
                throw Error("fields", "\"fields\" must be an array of { \"name\", \"label\", \"value\" } ([] for email).");
            }

            var fields = new List<TemplateField>();
            var i = 0;
            foreach (var field in value.EnumerateArray())
            {
                var at = $"fields[{i}]";
                if (field.ValueKind != JsonValueKind.Object)
                {
                    throw Error(at, $"{at} must be an object {{ \"name\", \"label\", \"value\" }}.");
                }

                OnlyKeys(field, at, FieldKeys);
                var name = FieldText(field, at, "name", allowEmpty: false);
                var label = FieldText(field, at, "label", allowEmpty: false);
                var text = FieldText(field, at, "value", allowEmpty: true);
                if (fields.Any(f => f.Name == name))
                {
                    throw Error($"{at}.name", $"{at}: the form has another field named '{name}'.");
                }

                fields.Add(new TemplateField(name, label, RequestRenderer.Parse(text, path, LineOf($"{at}.value"), $"{at}.value")));
                i++;
            }

            return fields;
        }

        public TemplateAppliesTo AppliesTo(JsonElement root)
        {
            if (!root.TryGetProperty("appliesTo", out var value) || value.ValueKind != JsonValueKind.Object)
            {
                throw Error("appliesTo", "\"appliesTo\" must be an object { \"kinds\", \"zones\", \"codes\", \"textContains\" } (empty arrays: no constraint).");
            }

            OnlyKeys(value, "appliesTo", AppliesToKeys);
            var kinds = Strings(value, "kinds", "appliesTo");
            if (kinds.FirstOrDefault(k => SignalNames.ParseKind(k) is null) is { } kind)
            {
                throw Error("appliesTo.kinds", $"'{kind}' is not a kind of evidence: ip-reputation, blocklist, rate-limit, auth, content, policy, user-unknown, other.");
            }

            var text = Strings(value, "textContains", "appliesTo");
            if (text.FirstOrDefault(t => !string.Equals(t, t.ToLowerInvariant(), StringComparison.Ordinal)) is { } upper)
            {
                throw Error("appliesTo.textContains", $"'{upper}': textContains is matched against the lowercased rejection; write it in lower case.");
            }

            return new TemplateAppliesTo(
                kinds,
                [.. Strings(value, "zones", "appliesTo").Select(z => z.TrimEnd('.').ToLowerInvariant())],
                Strings(value, "codes", "appliesTo"),
                text);
        }

        private string FieldText(JsonElement field, string at, string key, bool allowEmpty) =>
            field.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.String && (allowEmpty || !string.IsNullOrWhiteSpace(value.GetString()))
                ? value.GetString()!
                : throw Error($"{at}.{key}", $"{at}.{key} must be a{(allowEmpty ? "" : " non-empty")} string{(allowEmpty ? " (\"\" when a person must choose)" : "")}.");

        private static string Join(string at, string key) => at.Length == 0 ? key : $"{at}.{key}";
    }
}
