using System.Text;
using System.Text.Json;

namespace Postmaster.Core.Requests;

/// <summary>
/// The line each value of a JSON file starts on, by path (<c>subject</c>, <c>fields[0].value</c>),
/// so an error in a Liquid string inside the file can name its line.
/// </summary>
internal static class JsonLines
{
    public static Dictionary<string, int> Of(byte[] utf8)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var path = new Stack<Frame>();
        var lineStarts = LineStarts(utf8);
        while (reader.Read())
        {
            var line = Line(lineStarts, reader.TokenStartIndex);
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    path.Peek().Property = reader.GetString();
                    lines[Path(path)] = line;
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    Value(path, lines, line);
                    path.Push(new Frame(reader.TokenType == JsonTokenType.StartArray));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    path.Pop();
                    break;
                default:
                    Value(path, lines, line);
                    break;
            }
        }

        return lines;
    }

    private static void Value(Stack<Frame> path, Dictionary<string, int> lines, int line)
    {
        if (path.Count > 0 && path.Peek().Array)
        {
            path.Peek().Index++;
            lines[Path(path)] = line;
        }
    }

    private static string Path(Stack<Frame> path)
    {
        var builder = new StringBuilder();
        foreach (var frame in path.Reverse())
        {
            if (frame.Array)
            {
                builder.Append('[').Append(frame.Index).Append(']');
            }
            else if (frame.Property is { } property)
            {
                builder.Append(builder.Length == 0 ? "" : ".").Append(property);
            }
        }

        return builder.ToString();
    }

    private static List<long> LineStarts(byte[] utf8)
    {
        var starts = new List<long> { 0 };
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static int Line(List<long> starts, long offset)
    {
        var index = starts.BinarySearch(offset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }

    private sealed class Frame(bool array)
    {
        public bool Array { get; } = array;

        public int Index { get; set; } = -1;

        public string? Property { get; set; }
    }
}
