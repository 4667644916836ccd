using System.Text;
using Postmaster.Core.Signals;

namespace Postmaster.Tests.Signals;

/// <summary>Splitting a JSON array into elements without holding more than one bounded element.</summary>
public sealed class JsonArrayReaderTests
{
    private static async Task<List<(long Number, string Json, string? Problem)>> ReadAsync(string body, int chunk = 3)
    {
        var elements = new List<(long, string, string?)>();
        await foreach (var e in JsonArrayReader.ReadAsync(new TrickleStream(Encoding.UTF8.GetBytes(body), chunk), TestContext.Current.CancellationToken))
        {
            elements.Add((e.Number, Encoding.UTF8.GetString(e.Json.Span), e.Problem));
        }

        return elements;
    }

    [Fact]
    public async Task Strings_holding_brackets_commas_and_escaped_quotes_stay_inside_their_element()
    {
        var elements = await ReadAsync("""[ {"response": "550 [x], \"quoted\" \\", "n": [1, {"a": "]"}]} , "s,]" ,12 ]""");

        Assert.Equal(["""{"response": "550 [x], \"quoted\" \\", "n": [1, {"a": "]"}]}""", "\"s,]\"", "12"], elements.Select(e => e.Json.TrimEnd()));
        Assert.All(elements, e => Assert.Null(e.Problem));
        Assert.Equal([1L, 2L, 3L], elements.Select(e => e.Number));
    }

    [Fact]
    public async Task An_empty_array_has_no_elements() => Assert.Empty(await ReadAsync("\uFEFF [ \n ] \n"));

    [Theory]
    [InlineData("{\"status\": \"delivered\"}", "not a JSON array")]
    [InlineData("", "empty")]
    [InlineData("[1, 2", "cut short")]
    [InlineData("[1, 2] x", "after the array")]
    [InlineData("[1,,2]", "empty element")]
    public async Task A_body_that_is_not_a_whole_array_says_where_it_goes_wrong(string body, string problem)
    {
        var elements = await ReadAsync(body);

        Assert.Contains(elements, e => e.Problem?.Contains(problem, StringComparison.OrdinalIgnoreCase) == true);
    }

    [Fact]
    public async Task An_element_over_the_bound_is_reported_with_its_length_and_the_next_one_read()
    {
        var huge = new string('9', JsonArrayReader.MaxElementBytes * 3);

        var elements = await ReadAsync($"[1, {huge}, 2]", chunk: 4096);

        Assert.Equal(3, elements.Count);
        Assert.Contains("too long", elements[1].Problem, StringComparison.Ordinal);
        Assert.Equal(JsonArrayReader.MaxElementBytes, elements[1].Json.Length);
        Assert.Equal(("2", (string?)null), (elements[2].Json, elements[2].Problem));
    }

    /// <summary>Hands out a few bytes per read, so every boundary falls between reads somewhere.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
