using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Postmaster.Tests.Infrastructure;
using Postmaster.Web.Requests;

namespace Postmaster.Tests.Requests;

/// <summary>The app with an SMTP relay: a real aiosmtpd on loopback that keeps what it is given.</summary>
public sealed class SmtpRequestAppFixture : RequestAppFixture
{
    public const string From = "postmaster@sender.example";
    public const string ReplyTo = "requests@sender.example";

    public AiosmtpdServer? Smtp { get; private set; }

    public override async ValueTask InitializeAsync()
    {
        if (AiosmtpdServer.UnavailableReason is not null && !Requirement.InCi)
        {
            return; // each test then skips with the reason
        }

        Smtp = await AiosmtpdServer.StartAsync(TestContext.Current.CancellationToken);
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        if (Smtp is not null)
        {
            await base.DisposeAsync();
            await Smtp.DisposeAsync();
        }
    }

    protected override Dictionary<string, string?> Settings() => new()
    {
        ["Postmaster:Smtp:Host"] = Smtp!.Host,
        ["Postmaster:Smtp:Port"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Postmaster:Smtp:Security"] = "None",
        ["Postmaster:Smtp:From"] = "alerts@sender.example",
        ["Postmaster:Requests:From"] = From,
        ["Postmaster:Requests:ReplyTo"] = ReplyTo,
    };
}

/// <summary>An email request goes out through the SMTP relay with its address, subject, body and the Message-ID it is stored with.</summary>
public sealed class RequestSendTests(SmtpRequestAppFixture fixture) : IClassFixture<SmtpRequestAppFixture>
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_email_request_arrives_at_the_smtp_server_as_drafted_and_the_request_is_submitted()
    {
        Requirement.Require(AiosmtpdServer.UnavailableReason);
        var app = fixture.App;
        var incident = await RequestSeed.MicrosoftAsync(app);
        using var api = app.Api();
        using var drafted = await api.PostAsJsonAsync($"/api/incidents/{incident.Id}/requests", new { template = RequestTestTemplates.MicrosoftEmail }, Ct);
        var draft = await drafted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = draft.GetProperty("id").GetInt64();

        using var sent = await api.PostAsync($"/api/requests/{id}/send", null, Ct);
        var request = await sent.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.True(sent.StatusCode == HttpStatusCode.Accepted, request.ToString());
        Assert.Equal("submitted", request.GetProperty("status").GetString());
        var messageId = request.GetProperty("messageId").GetString()!;
        Assert.EndsWith("@sender.example", messageId, StringComparison.Ordinal);
        var message = Assert.Single(await fixture.Smtp!.WaitForAsync(1, Delivery, Ct), m => m.MessageId == messageId);
        Assert.Equal("delist@messaging.microsoft.com", Assert.Single(message.To.Mailboxes).Address);
        Assert.Equal(draft.GetProperty("subject").GetString(), message.Subject);
        Assert.Equal(draft.GetProperty("body").GetString(), (message.TextBody ?? "").ReplaceLineEndings("\n"));
        Assert.Equal(SmtpRequestAppFixture.From, Assert.Single(message.From.Mailboxes).Address);
        Assert.Equal(SmtpRequestAppFixture.ReplyTo, Assert.Single(message.ReplyTo.Mailboxes).Address);
        Assert.Equal("delist@messaging.microsoft.com", message.Headers["X-RcptTo"]);
        Assert.Equal("awaiting-reply", (await api.GetFromJsonAsync<JsonElement>($"/api/incidents/{incident.Id}", Ct)).GetProperty("state").GetString());
        Assert.Contains(request.GetProperty("history").EnumerateArray(), h => h.GetProperty("kind").GetString() == "request-submitted"
            && h.GetProperty("detail").GetString()!.StartsWith($"sent by email to delist@messaging.microsoft.com through {fixture.Smtp.Host}, Message-ID <{messageId}>", StringComparison.Ordinal));

        using var again = await api.PostAsync($"/api/requests/{id}/send", null, Ct);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task A_follow_up_goes_out_in_the_first_requests_thread()
    {
        Requirement.Require(AiosmtpdServer.UnavailableReason);
        var app = fixture.App;
        var incident = await RequestSeed.MicrosoftAsync(app);
        using var api = app.Api();
        using var drafted = await api.PostAsJsonAsync($"/api/incidents/{incident.Id}/requests", new { template = RequestTestTemplates.MicrosoftEmail }, Ct);
        var first = (await drafted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        using var sent = await api.PostAsync($"/api/requests/{first}/send", null, Ct);
        var parentId = (await sent.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("messageId").GetString();

        long followUp;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<RequestDrafts>().FollowUpAsync(first, "Rotated the DKIM key.", Ct);
            followUp = result.Request!.Id;
        }

        using var again = await api.PostAsync($"/api/requests/{followUp}/send", null, Ct);
        var request = await again.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var message = Assert.Single(await fixture.Smtp!.WaitForAsync(3, Delivery, Ct), m => m.MessageId == request.GetProperty("messageId").GetString());
        Assert.Equal(parentId, message.InReplyTo);
        Assert.Contains(parentId, message.References);
        Assert.StartsWith("Re: Delist ", message.Subject, StringComparison.Ordinal);
        Assert.Contains("What changed since:\nRotated the DKIM key.", (message.TextBody ?? "").ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
