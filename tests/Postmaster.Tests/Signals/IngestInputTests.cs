using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Postmaster.Core.Signals.Bounces;
using Postmaster.Tests.Infrastructure;
using Postmaster.Tests.Signals.Logs;

namespace Postmaster.Tests.Signals;

/// <summary>What the ingest calls make of bodies that are not what a careful client sends.</summary>
public sealed class IngestInputTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<JsonElement> AcceptedAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static ByteArrayContent Bytes(byte[] body, string? contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")] // what `curl --data-binary @maillog` sends
    [InlineData("application/octet-stream")]
    [InlineData(null)]
    public async Task A_log_upload_is_read_whatever_content_type_the_client_sends(string? contentType)
    {
        using var api = fixture.App.Api();
        var log = PostfixLogParserTests.GmailSent + "\n" + PostfixLogParserTests.OutlookS3150 + "\n";

        var counts = await AcceptedAsync(await api.PostAsync("/api/signals/log?format=postfix", Bytes(Encoding.UTF8.GetBytes(log), contentType), Ct));

        Assert.Equal(2, counts.GetProperty("accepted").GetInt64());
    }

    [Fact]
    public async Task A_bounce_is_read_whatever_content_type_the_client_sends()
    {
        using var api = fixture.App.Api();
        var message = "From: MAILER-DAEMON@example.net\r\nTo: sender@example.com\r\nSubject: hello\r\n\r\nJust a note.\r\n";

        var body = await AcceptedAsync(await api.PostAsync("/api/signals/bounce", Bytes(Encoding.ASCII.GetBytes(message), "application/x-www-form-urlencoded"), Ct));

        Assert.False(body.GetProperty("isBounce").GetBoolean());
    }

    [Fact]
    public async Task A_json_item_with_invalid_utf8_is_counted_as_malformed_and_the_others_kept()
    {
        using var api = fixture.App.Api();
        var body = new List<byte>();
        body.AddRange("[{\"status\":\"delivered\",\"sourceIp\":\"198.51.100.40\",\"recipientDomain\":\"gmail.com\"},\n {\"status\":\"bounced\",\"sourceIp\":\"198.51.100.40\",\"response\":\"550 "u8.ToArray());
        body.AddRange(new byte[] { 0xC3, 0x28, 0xFF });
        body.AddRange("\"},\n {\"status\":\"delivered\",\"sourceIp\":\"198.51.100.40\",\"recipientDomain\":\"yahoo.com\"}]"u8.ToArray());

        var counts = await AcceptedAsync(await api.PostAsync("/api/signals", Bytes([.. body], "application/json"), Ct));

        Assert.Equal(2, counts.GetProperty("accepted").GetInt64());
        Assert.Equal(1, counts.GetProperty("malformed").GetInt64());
        var sample = counts.GetProperty("malformedSamples")[0];
        Assert.Equal(2, sample.GetProperty("line").GetInt64());
        Assert.Contains("UTF-8", sample.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ndjson_line_with_invalid_utf8_is_counted_as_malformed_and_the_others_kept()
    {
        using var api = fixture.App.Api();
        var body = new List<byte>();
        body.AddRange("{\"status\":\"delivered\",\"sourceIp\":\"198.51.100.41\",\"recipientDomain\":\"gmail.com\"}\n{\"status\":\"bounced\",\"response\":\"550 "u8.ToArray());
        body.AddRange(new byte[] { 0xC3, 0x28 });
        body.AddRange("\"}\n{\"status\":\"delivered\",\"sourceIp\":\"198.51.100.41\",\"recipientDomain\":\"yahoo.com\"}\n"u8.ToArray());

        var counts = await AcceptedAsync(await api.PostAsync("/api/signals", Bytes([.. body], "application/x-ndjson"), Ct));

        Assert.Equal(2, counts.GetProperty("accepted").GetInt64());
        Assert.Equal(1, counts.GetProperty("malformed").GetInt64());
        Assert.Contains("UTF-8", counts.GetProperty("malformedSamples")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_element_longer_than_a_signal_can_be_is_malformed_and_the_array_read_on()
    {
        using var api = fixture.App.Api();
        var huge = new string('x', 200_000);
        var body = $"[{{\"status\":\"delivered\",\"sourceIp\":\"198.51.100.42\",\"recipientDomain\":\"gmail.com\"}}, {{\"status\":\"bounced\",\"response\":\"{huge}\"}}, [1, [2, \"]\"]], {{\"status\":\"delivered\",\"sourceIp\":\"198.51.100.42\",\"recipientDomain\":\"yahoo.com\"}}]";

        var counts = await AcceptedAsync(await api.PostAsync("/api/signals", new StringContent(body, Encoding.UTF8, "application/json"), Ct));

        Assert.Equal(2, counts.GetProperty("accepted").GetInt64());
        Assert.Equal(2, counts.GetProperty("malformed").GetInt64());
        var samples = counts.GetProperty("malformedSamples");
        Assert.Equal(2, samples[0].GetProperty("line").GetInt64());
        Assert.Contains("too long", samples[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, samples[1].GetProperty("line").GetInt64());
    }

    [Fact]
    public async Task A_bounce_over_the_size_limit_is_a_413_problem_saying_the_limit()
    {
        using var api = fixture.App.Api();
        var message = new byte[BounceParser.MaxMessageBytes + 1024];
        Array.Fill(message, (byte)'a');
        "Subject: big\r\n\r\n"u8.CopyTo(message);

        var response = await api.PostAsync("/api/signals/bounce", Bytes(message, "message/rfc822"), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("10 MB", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_streamed_bounce_over_the_size_limit_is_a_413_problem_too()
    {
        using var api = fixture.App.Api();
        var message = new byte[BounceParser.MaxMessageBytes + 1024];
        Array.Fill(message, (byte)'a');
        "Subject: big\r\n\r\n"u8.CopyTo(message);
        using var content = new StreamContent(new MemoryStream(message));
        content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/signals/bounce") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await api.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}
