using System.Text.Json.Nodes;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Requests;

/// <summary>
/// A templates folder for request tests: the repo's blocklist catalog and provider packs, the
/// generic fallback, and the tests' own request templates in place of the packs' (which another
/// part of the project writes): the tests decide what fits and what renders.
/// </summary>
public static class RequestTestTemplates
{
    public const string MicrosoftForm = "microsoft/test-form";
    public const string MicrosoftEmail = "microsoft/test-email";
    public const string UceprotectWait = "uceprotect/test-wait";

    public static TemplateFolder Create()
    {
        var folder = new TemplateFolder();
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Templates, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepoPaths.Templates, file);
            var parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts is ["providers", var slug, "requests", ..] && slug != "generic")
            {
                continue;
            }

            var target = Path.Combine(folder.Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var form = TemplateFolder.Form(
            ("ips", "Outgoing IPs (separated by ;)", "{{ incident.ips | join: ';' }}"),
            ("volume", "Daily volume to Outlook.com", "{{ org.volumeTo.microsoft }}"),
            ("error", "The error you receive", "{{ incident.samples.first.text }}"));
        form["kind"] = "mitigate";
        form["formUrl"] = "https://olcsupport.office.com/?ip={{ incident.ips | first }}";
        form["appliesTo"] = AppliesTo(codes: ["S3150", "S3140"]);
        form["needs"] = new JsonArray("company", "contactEmail", "streams");
        form["followUpDays"] = 2;
        folder.Write("microsoft", "test-form", form, "Notes for the form: {{ incident.samples.size }} rejections.\n");

        var email = TemplateFolder.Email(to: "{{ incident.replyAddress | default: 'delist@messaging.microsoft.com' }}",
            subject: "Delist {{ incident.ips | join: ', ' }} ({{ org.company }})");
        email["appliesTo"] = AppliesTo(codes: ["5.7.511"]);
        email["followUpDays"] = null;
        folder.Write("microsoft", "test-email", email,
            "Hello,\n\nplease delist {{ incident.ips | join: ', ' }}.\n\n{% for s in incident.samples %}{{ s.at | date: '%Y-%m-%d %H:%M' }} UTC {{ s.mx }}:\n{{ s.text }}\n{% endfor %}\nFixed: {{ fixed }}\n\n{{ org.contactName }}\n");

        var wait = TemplateFolder.Email();
        (wait["kind"], wait["channel"], wait["to"], wait["subject"]) = ("explain", "auto-expiry", null, null);
        wait["expiresAfterHours"] = 168;
        wait["needs"] = new JsonArray();
        folder.Write("uceprotect", "test-wait", wait, "UCEPROTECT Level 1 listings expire 7 days after the last spam trap hit; nothing to send.\n");
        return folder;
    }

    private static JsonObject AppliesTo(string[]? kinds = null, string[]? codes = null) => new()
    {
        ["kinds"] = new JsonArray([.. (kinds ?? []).Select(k => (JsonNode)k)]),
        ["zones"] = new JsonArray(),
        ["codes"] = new JsonArray([.. (codes ?? []).Select(k => (JsonNode)k)]),
        ["textContains"] = new JsonArray(),
    };
}
