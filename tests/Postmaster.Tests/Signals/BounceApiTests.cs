using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Postmaster.Tests.Infrastructure;

namespace Postmaster.Tests.Signals;

/// <summary>POST /api/signals/bounce with real bounce messages from the shared corpus.</summary>
public sealed class BounceApiTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Corpus(string name)
    {
        var path = Path.Combine(RepoPaths.Corpus, "bounces", "maildir", name);
        Requirement.Require(File.Exists(path) ? null : $"The bounce corpus is missing ({path}): tests read ../shared/corpus beside the checkout.");
        return path;
    }

    private async Task<JsonElement> PostAsync(string file)
    {
        using var api = fixture.App.Api();
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(Corpus(file), Ct));
        content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        var response = await api.PostAsync("/api/signals/bounce", content, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    [Fact]
    public async Task A_gmail_bounce_is_read_classified_and_stored()
    {
        var body = await PostAsync("bsd/rhost-google-06.eml");

        Assert.True(body.GetProperty("isBounce").GetBoolean());
        var signal = Assert.Single(body.GetProperty("signals").EnumerateArray());
        Assert.Equal("bounced", signal.GetProperty("status").GetString());
        Assert.Equal("google", signal.GetProperty("provider").GetString());
        Assert.Equal(550, signal.GetProperty("code").GetInt32());
        Assert.Equal(1, body.GetProperty("accepted").GetInt64());
    }

    [Fact]
    public async Task A_message_that_is_not_a_bounce_says_so_and_stores_nothing()
    {
        var body = await PostAsync("not/is-not-bounce-01.eml");

        Assert.False(body.GetProperty("isBounce").GetBoolean());
        Assert.Empty(body.GetProperty("signals").EnumerateArray());
        Assert.Equal(0, body.GetProperty("accepted").GetInt64());
    }

    [Fact]
    public async Task Garbage_is_not_a_bounce_and_not_an_error()
    {
        using var api = fixture.App.Api();
        using var content = new ByteArrayContent([0xff, 0xfe, 0x00, 0x41, 0x0a, 0x0d, 0x80]);

        var response = await api.PostAsync("/api/signals/bounce", content, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.False((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("isBounce").GetBoolean());
    }
}
