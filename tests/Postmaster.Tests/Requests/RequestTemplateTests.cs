using Postmaster.Core.Providers;
using Postmaster.Core.Requests;
using Postmaster.Tests.Signals;

namespace Postmaster.Tests.Requests;

/// <summary>Request templates: how they load, render, fit an incident, and fail with the file and line to fix.</summary>
public sealed class RequestTemplateTests : IDisposable
{
    private static readonly ProviderRegistry Registry = new(ProviderPackTests.Packs);
    private static readonly string[] Slugs = [.. ProviderPackTests.Packs.Select(p => p.Slug)];

    private readonly TemplateFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static RequestModel Model(string provider = "microsoft") => SampleRequestModel.Full(provider, "Microsoft", Slugs);

    private RequestTemplate Only() => Assert.Single(RequestTemplateCatalog.Load(_folder.Providers, Registry).All);

    [Fact]
    public void An_email_template_renders_address_subject_and_body_from_the_incident_and_the_profile()
    {
        _folder.Write("microsoft", "delist", TemplateFolder.Email(),
            "From {{ org.company }} about {{ incident.ips | join: ', ' }}.\n{% for s in incident.samples %}{{ s.at | date: '%Y-%m-%d %H:%M' }} UTC {{ s.mx }}: {{ s.text }}\n{% endfor %}Fixed: {{ fixed }}\n");

        var draft = RequestRenderer.Render(Only(), Model(), Slugs, ct: TestContext.Current.CancellationToken);

        Assert.Equal("tosa@rx.t-online.de", draft.To);
        Assert.Equal("Block of pool-a (203.0.113.0/28)", draft.Subject);
        Assert.StartsWith("From Example Mail GmbH about 203.0.113.9, 203.0.113.10.\n2026-12-07 08:15 UTC outlook-com.olc.protection.outlook.com: 550 5.7.1", draft.Body, StringComparison.Ordinal);
        Assert.Contains("Fixed: Closed the open relay", draft.Body, StringComparison.Ordinal);
        Assert.Empty(draft.Fields);
    }

    [Fact]
    public void A_form_template_renders_every_field_in_order_and_the_form_link()
    {
        _folder.Write("microsoft", "form", TemplateFolder.Form(
            ("ips", "Outgoing IPs (separated by ;)", "{{ incident.values | where: 'kind', 'ip' | map: 'value' | join: ';' }}"),
            ("volume", "Daily volume to Outlook.com", "{{ org.volumeTo.microsoft }}"),
            ("type", "Type of mail (choose in the form)", "")), "Form notes for {{ incident.providerName }}\n");

        var draft = RequestRenderer.Render(Only(), Model(), Slugs, ct: TestContext.Current.CancellationToken);

        Assert.Equal("https://forms.example.net/delist?ip=203.0.113.9", draft.FormUrl);
        Assert.Null(draft.To);
        Assert.Equal(["ips=203.0.113.9;203.0.113.10", "volume=2000", "type="], draft.Fields.Select(f => $"{f.Name}={f.Value}"));
    }

    [Fact]
    public void Evidence_that_holds_liquid_appears_verbatim_and_is_never_evaluated()
    {
        const string rejection = "550 5.7.1 {{ org.company }} {% if true %}EVALUATED{% endif %} {{ 7 | plus: 1 }} {%raw%}";
        const string txt = "Listed: {{ sender.from }} {% for x in (1..3) %}{{x}}{% endfor %}";
        const string label = "pool-{{ now }}";
        const string fixedText = "Rotated keys {% assign a = 1 %}{{ a }}";
        _folder.Write("microsoft", "quote", TemplateFolder.Email(subject: "About {{ incident.assetGroup }}"),
            "{% for s in incident.samples %}{{ s.text }}\n{% endfor %}{% for v in incident.values %}{{ v.reason }}\n{% endfor %}{{ fixed }}\n");
        var model = Model() with { Fixed = fixedText };
        model = model with
        {
            Incident = model.Incident with
            {
                AssetGroup = label,
                Samples = [model.Incident.Samples[0] with { Text = rejection }],
                Values = [model.Incident.Values[0] with { Reason = txt }],
            },
        };

        var draft = RequestRenderer.Render(Only(), model, Slugs, ct: TestContext.Current.CancellationToken);

        Assert.Equal($"{rejection}\n{txt}\n{fixedText}\n", draft.Body);
        Assert.Equal($"About {label}", draft.Subject);
        Assert.DoesNotContain("Example Mail GmbH", draft.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_that_does_not_parse_is_refused_naming_the_file_and_line()
    {
        var (_, liquid) = _folder.Write("microsoft", "broken", TemplateFolder.Email(), "Hello,\n\n{% if incident.replyAddress %}\nno end tag here\n");

        var error = Assert.Throws<RequestTemplateException>(() => RequestTemplateCatalog.Load(_folder.Providers, Registry));

        Assert.Contains($"{liquid}, line ", error.Message, StringComparison.Ordinal);
        Assert.Contains("the body is not valid Liquid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_the_model_does_not_have_is_refused_at_the_sample_render_naming_the_file_and_line()
    {
        var (_, liquid) = _folder.Write("microsoft", "typo", TemplateFolder.Email(), "Hello,\n\nWe are {{ org.company }}.\nOur IP: {{ incident.sourceIp }}\n");

        var error = Assert.Throws<RequestTemplateException>(() => RequestTemplateCatalog.Load(_folder.Providers, Registry));

        Assert.Contains($"{liquid}, line 4: the body: Undefined variable 'sourceIp'", error.Message, StringComparison.Ordinal);
        Assert.Contains("REQUESTS.md", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_liquid_error_in_the_metadata_names_the_json_file_and_the_line_of_its_key()
    {
        var (json, _) = _folder.Write("microsoft", "subject", TemplateFolder.Email(subject: "Block {{ incident.assetGroup | nosuchfilter }}"), "Hello\n");

        var error = Assert.Throws<RequestTemplateException>(() => RequestTemplateCatalog.Load(_folder.Providers, Registry));

        Assert.Contains($"{json}, line {TemplateFolder.LineOf(json, "\"subject\"")}: subject: Undefined filter 'nosuchfilter'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_names_its_line()
    {
        var (json, _) = _folder.Write("microsoft", "json", null, "Hello\n");
        File.WriteAllText(json, "{\n  \"title\": \"x\",\n  \"kind\": delist\n}\n");

        var error = Assert.Throws<RequestTemplateException>(() => RequestTemplateCatalog.Load(_folder.Providers, Registry));

        Assert.Contains($"{json}, line 3: not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("channel", "fax", "channel must be one of email, web-form, portal, self-service, auto-expiry")]
    [InlineData("kind", "beg", "kind must be one of delist, mitigate, reset, explain")]
    [InlineData("to", null, "an email template needs \"to\"")]
    [InlineData("colour", "blue", "'colour' is not a key of a request template")]
    [InlineData("expiresAfterHours", "168", "expiresAfterHours is only for the auto-expiry channel")]
    public void A_metadata_file_of_the_wrong_shape_is_refused_with_what_to_fix(string key, string? value, string expected)
    {
        var metadata = TemplateFolder.Email();
        metadata[key] = value is null ? null : int.TryParse(value, out var n) ? n : value;
        var (json, _) = _folder.Write("microsoft", "shape", metadata, "Hello\n");

        var error = Assert.Throws<RequestTemplateException>(() => RequestTemplateCatalog.Load(_folder.Providers, Registry));

        Assert.Contains(json, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_broken_template_is_reported_at_once()
    {
        var (json, _) = _folder.Write("google", "no-body", TemplateFolder.Email(), null);
        var (_, liquid) = _folder.Write("microsoft", "bad", TemplateFolder.Email(), "{{ incident.nope }}\n");
        _folder.Write("microsoft", "good", TemplateFolder.Email(), "Hello {{ incident.providerName }}\n");

        var error = Assert.Throws<RequestTemplateException>(() => RequestTemplateCatalog.Load(_folder.Providers, Registry));

        Assert.StartsWith("2 request template problems", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{json}: the template has no body beside it", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{liquid}, line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sparse_sample_an_empty_profile_and_no_evidence_still_renders()
    {
        _folder.Write("microsoft", "sparse", TemplateFolder.Email(),
            "{{ incident.replyAddress }}|{{ incident.values | size }}|{{ org.company }}|{{ posture.spf.status }}|{{ posture.allPass }}|{{ org.volumeTo.microsoft }}\n");

        var draft = RequestRenderer.Render(Only(), SampleRequestModel.Sparse("microsoft", "Microsoft"), Slugs, ct: TestContext.Current.CancellationToken);

        Assert.Equal("|0||unknown|false|0\n", draft.Body);
        Assert.Equal("postmaster@example.net", draft.To);
    }

    [Fact]
    public void Missing_facts_are_the_needs_the_profile_leaves_empty()
    {
        var profile = OrganisationFacts.Empty with { Company = "Example Mail GmbH", Streams = [new MailStreamFacts("transactional", "receipts", 10, new Dictionary<string, long>())] };

        Assert.Equal(["contactEmail", "feedbackLoops"], profile.Missing(["company", "contactEmail", "streams", "feedbackLoops"]));
    }

    [Fact]
    public void Templates_that_fit_come_first_the_most_specific_first_then_the_providers_others_then_the_fallback()
    {
        Write("microsoft", "any", kinds: [], zones: [], codes: [], text: []);
        Write("microsoft", "s3150", kinds: ["ip-reputation", "blocklist"], zones: [], codes: ["S3150"], text: ["block list"]);
        Write("microsoft", "eop", kinds: [], zones: [], codes: ["5.7.511"], text: []);
        Write("google", "other-provider", kinds: [], zones: [], codes: [], text: []);
        Write("generic", "explain", kinds: [], zones: [], codes: [], text: []);
        var catalog = RequestTemplateCatalog.Load(_folder.Providers, Registry);

        var fits = catalog.For(Model().Incident);

        Assert.Equal(["microsoft/s3150", "microsoft/any", "microsoft/eop", "generic/explain"], fits.Select(f => f.Template.Id));
        Assert.Equal([true, true, false, true], fits.Select(f => f.Fits));
    }

    [Fact]
    public void Rejection_facts_are_read_from_real_rejections()
    {
        const string tOnline = "554 IP=194.13.81.44 - None/bad reputation. Ask your postmaster for help or to contacttobr@rx.t-online.de for reset. (NOWL)";
        const string microsoft = "550 5.7.1 Unfortunately, messages from [203.0.113.9] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).";
        const string gmx = "554-IP address is block listed. 554 For explanation visit https://postmaster.gmx.net/en/case?c=r0201&i=ip&v=198.51.100.42&r=1MNcgj-1ue23t3pyV-00S2YR";
        const string yahoo = "421 4.7.0 [TSS04] Messages from 203.0.113.9 temporarily deferred due to unexpected volume or user complaints";

        Assert.Equal(["NOWL"], RejectionFacts.Codes(tOnline));
        Assert.Equal(["5.7.1", "S3150"], RejectionFacts.Codes(microsoft, "5.7.1").Order(StringComparer.Ordinal));
        Assert.Equal(["4.7.0", "TSS04"], RejectionFacts.Codes(yahoo).Order(StringComparer.Ordinal));
        Assert.Equal("tobr@rx.t-online.de", RejectionFacts.ReplyAddress([microsoft, tOnline]));
        Assert.Null(RejectionFacts.ReplyAddress([microsoft]));
        Assert.Equal("1MNcgj-1ue23t3pyV-00S2YR", RejectionFacts.Reference([tOnline, gmx]));
    }

    private void Write(string slug, string name, string[] kinds, string[] zones, string[] codes, string[] text)
    {
        var json = TemplateFolder.Email();
        json["appliesTo"] = new System.Text.Json.Nodes.JsonObject
        {
            ["kinds"] = new System.Text.Json.Nodes.JsonArray([.. kinds.Select(k => (System.Text.Json.Nodes.JsonNode)k)]),
            ["zones"] = new System.Text.Json.Nodes.JsonArray([.. zones.Select(k => (System.Text.Json.Nodes.JsonNode)k)]),
            ["codes"] = new System.Text.Json.Nodes.JsonArray([.. codes.Select(k => (System.Text.Json.Nodes.JsonNode)k)]),
            ["textContains"] = new System.Text.Json.Nodes.JsonArray([.. text.Select(k => (System.Text.Json.Nodes.JsonNode)k)]),
        };
        _folder.Write(slug, name, json, "Hello\n");
    }
}
