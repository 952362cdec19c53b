using System.Text;
using System.Text.Json;

namespace IncidentDesk.Dashboards;

/// <summary>
/// The line of every value in a JSON text, by JSON Pointer (<c>/panels/3/gridPos/w</c>), so that a problem
/// found in the parsed document can be reported as <c>path:line</c>. System.Text.Json's DOM keeps no positions.
/// </summary>
internal sealed class JsonLineMap
{
    private readonly Dictionary<string, int> lines = new(StringComparer.Ordinal);

    private JsonLineMap()
    {
    }

    /// <summary>The line of the value at <paramref name="pointer"/>, or of its nearest ancestor that has one.</summary>
    public int LineOf(string pointer)
    {
        while (true)
        {
            if (lines.TryGetValue(pointer, out var line))
                return line;
            if (pointer.Length == 0)
                return 1;
            pointer = pointer[..pointer.LastIndexOf('/')];
        }
    }

    /// <summary>Maps <paramref name="utf8"/>; throws <see cref="JsonException"/> (with a line number) on invalid JSON.</summary>
    public static JsonLineMap Build(byte[] utf8)
    {
        var map = new JsonLineMap();
        var newlines = new List<long>();
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
                newlines.Add(i);
        }
        int Line(long offset)
        {
            var index = newlines.BinarySearch(offset);
            return (index < 0 ? ~index : index) + 1;
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        // Each open container: its pointer and, for arrays, the next index.
        var stack = new Stack<(string Pointer, int NextIndex, bool IsArray)>();
        string? property = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                property = reader.GetString();
                continue;
            }
            if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                stack.Pop();
                continue;
            }
            string pointer;
            if (stack.Count == 0)
                pointer = "";
            else if (stack.Peek().IsArray)
            {
                var parent = stack.Pop();
                pointer = parent.Pointer + "/" + parent.NextIndex;
                stack.Push((parent.Pointer, parent.NextIndex + 1, true));
            }
            else
                pointer = stack.Peek().Pointer + "/" + Escape(property ?? "");
            map.lines[pointer] = Line(reader.TokenStartIndex);
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                stack.Push((pointer, 0, reader.TokenType == JsonTokenType.StartArray));
        }
        return map;
    }

    private static string Escape(string name) => new StringBuilder(name).Replace("~", "~0").Replace("/", "~1").ToString();
}
