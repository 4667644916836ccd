using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Postmaster.Tests.Infrastructure;
using Postmaster.Tests.Requests;

namespace Postmaster.Tests.Browser;

/// <summary>
/// Drafting, sending and tracking requests in the browser: from the incident page's "Draft a
/// request" to a form with copy buttons or an email sent through a real SMTP relay (aiosmtpd), a
/// reply pasted, a follow-up in one click, and the follow-ups due on the dashboard.
/// </summary>
public sealed class RequestPagesTests : BrowserTest
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(20);

    private readonly TemplateFolder _templates = RequestTestTemplates.Create();
    private AiosmtpdServer? _smtp;

    protected override string? UnavailableReason => Chromium.UnavailableReason ?? AiosmtpdServer.UnavailableReason;

    protected override async Task<PostmasterApp> StartAppAsync(string dataDirectory)
    {
        _smtp = await AiosmtpdServer.StartAsync(TestContext.Current.CancellationToken);
        return PostmasterApp.Sqlite(dataDirectory, kestrel: true, settings: new Dictionary<string, string?>
        {
            ["Postmaster:TemplatesDirectory"] = _templates.Root,
            ["Postmaster:Smtp:Host"] = _smtp.Host,
            ["Postmaster:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Postmaster:Smtp:Security"] = "none",
            ["Postmaster:Smtp:From"] = "alerts@sender.example",
            ["Postmaster:Requests:From"] = "postmaster@sender.example",
        });
    }

    protected override async ValueTask DisposeMoreAsync()
    {
        if (_smtp is not null)
        {
            await _smtp.DisposeAsync();
        }

        _templates.Dispose();
    }

    [Fact]
    public async Task A_form_request_is_drafted_from_the_incident_page_with_every_field_copyable_then_marked_submitted()
    {
        var incident = await RequestSeed.MicrosoftAsync(App!);
        var page = await SignInAsync($"/incidents/{incident.Id}");
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);

        Assert.Equal(RequestTestTemplates.MicrosoftForm, await page.GetAttributeAsync("#templates li:first-child", "data-template"));
        await page.FillAsync("#fixed-text", "Closed the open relay.");
        await page.ClickAsync("#draft-request");
        await page.WaitForURLAsync(url => url.Contains("/requests/", StringComparison.Ordinal));

        Assert.Equal("draft", await page.InnerTextAsync("#request-status"));
        Assert.Equal($"https://olcsupport.office.com/?ip={incident.GroupValue}", await page.GetAttributeAsync("#form-link", "href"));
        var fields = page.Locator("#fields-form .field");
        Assert.Equal(3, await fields.CountAsync());
        Assert.Equal(3, await page.Locator("#fields-form .field button[data-copy]").CountAsync());
        Assert.Contains("company, contactEmail, streams", await page.InnerTextAsync("#missing-facts"), StringComparison.Ordinal);

        await page.ClickAsync(".field[data-field=ips] button[data-copy]");
        await Assertions.Expect(page.Locator(".field[data-field=ips] button[data-copy]")).ToHaveTextAsync("Copied");
        Assert.Equal(incident.GroupValue, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));

        await page.ClickAsync("#mark-submitted");
        await page.Locator("#saved").WaitForAsync();
        Assert.Equal("submitted", await page.InnerTextAsync("#request-status"));
        Assert.Contains("awaiting-reply", await page.InnerTextAsync("#request-facts"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_email_is_edited_and_sent_through_the_relay_a_reply_is_pasted_and_a_follow_up_is_one_click()
    {
        var incident = await RequestSeed.MicrosoftAsync(App!);
        var page = await SignInAsync($"/incidents/{incident.Id}");
        await page.CheckAsync($"#templates li[data-template='{RequestTestTemplates.MicrosoftEmail}'] input");
        await page.ClickAsync("#draft-request");
        await page.WaitForURLAsync(url => url.Contains("/requests/", StringComparison.Ordinal));

        Assert.Contains("never through the blocked IPs", await page.InnerTextAsync("#relay-note"), StringComparison.Ordinal);
        Assert.Equal("delist@messaging.microsoft.com", await page.InputValueAsync("#to"));
        await page.FillAsync("#subject", "Please delist our IP (edited)");
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.ClickAsync("#send");
        await page.Locator("#saved").WaitForAsync();

        Assert.Equal("submitted", await page.InnerTextAsync("#request-status"));
        var messageId = (await page.InnerTextAsync("#message-id")).Trim('<', '>');
        var sent = Assert.Single(await _smtp!.WaitForAsync(1, Delivery, TestContext.Current.CancellationToken), m => m.MessageId == messageId);
        Assert.Equal("Please delist our IP (edited)", sent.Subject);

        await page.FillAsync("#reply-text", "<script>alert(1)</script> Your IP does not qualify for mitigation.");
        await page.ClickAsync("#save-tracking");
        await page.Locator("#saved").WaitForAsync();
        Assert.Equal("replied", await page.InnerTextAsync("#request-status"));
        Assert.Contains("<script>alert(1)</script>", await page.InnerTextAsync("#reply"), StringComparison.Ordinal);

        await page.FillAsync("#changed", "Rotated the DKIM key.");
        await page.ClickAsync("#draft-follow-up");
        await page.Locator("#saved").WaitForAsync();
        Assert.Equal("draft", await page.InnerTextAsync("#request-status"));
        Assert.Equal("Re: Please delist our IP (edited)", await page.InputValueAsync("#subject"));
        Assert.Contains("What changed since:\nRotated the DKIM key.", await page.InputValueAsync("#body"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_ups_due_show_on_the_dashboard_and_the_requests_page()
    {
        var incident = await RequestSeed.MicrosoftAsync(App!);
        using var api = App!.Api();
        using var drafted = await api.PostAsJsonAsync($"/api/incidents/{incident.Id}/requests", new { template = RequestTestTemplates.MicrosoftForm }, TestContext.Current.CancellationToken);
        var id = (await drafted.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetInt64();
        using var _ = await api.PatchAsJsonAsync($"/api/requests/{id}", new { status = "submitted", followUpAt = "2020-06-01T08:00:00Z" }, TestContext.Current.CancellationToken);

        var page = await SignInAsync("/");

        Assert.Contains($"#{id}", await page.InnerTextAsync("#follow-ups"), StringComparison.Ordinal);
        await page.GotoAsync("/requests?show=due");
        Assert.Contains("due", await page.InnerTextAsync($"#requests tr[data-request='{id}']"), StringComparison.Ordinal);
        Assert.Contains("Microsoft", await page.InnerTextAsync("#outcome-table"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_organisation_profile_is_saved_and_a_bad_address_is_refused_with_the_form_kept()
    {
        var page = await SignInAsync("/Settings/Organisation");

        await page.FillAsync("#company", "Example Mail GmbH");
        await page.FillAsync("#contact-email", "not an address");
        await page.FillAsync("input[name='Form.Streams[0].Description']", "Receipts");
        await page.FillAsync("input[name='Form.Streams[0].DailyVolume']", "12,000");
        await page.FillAsync("input[name='Form.Streams[0].PerProvider[microsoft]']", "3000");
        await page.ClickAsync("#save-organisation");

        Assert.Contains("Contact email 'not an address' is not an email address", await page.InnerTextAsync("#problems"), StringComparison.Ordinal);
        Assert.Equal("Example Mail GmbH", await page.InputValueAsync("#company"));

        await page.FillAsync("#contact-email", "jane@example.com");
        await page.ClickAsync("#save-organisation");
        await page.Locator("#saved").WaitForAsync();
        Assert.Equal("12000", await page.InputValueAsync("input[name='Form.Streams[0].DailyVolume']"));
        Assert.Equal("3000", await page.InputValueAsync("input[name='Form.Streams[0].PerProvider[microsoft]']"));
        Assert.Equal(2, await page.Locator("#streams tbody tr").CountAsync());
    }
}
