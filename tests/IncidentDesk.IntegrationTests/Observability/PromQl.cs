using System.Text.RegularExpressions;

namespace IncidentDesk.IntegrationTests.Observability;

/// <summary>Just enough PromQL and exposition-format reading to compare what queries use with what the service exports.</summary>
public static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "atan2", "inf", "nan",
    };

    /// <summary>The metric names an expression selects (not functions, labels, keywords or Grafana variables).</summary>
    public static IReadOnlySet<string> MetricNames(string expr)
    {
        // Grafana's label_values(selector, label): the label is not a metric.
        var text = LabelValues().Replace(expr, m => m.Groups["selector"].Value);
        text = Strings().Replace(text, " ");
        text = Braces().Replace(text, " ");
        text = Brackets().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        text = Variables().Replace(text, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifier().Matches(text))
        {
            var name = m.Groups["name"].Value;
            var isCall = m.Groups["call"].Success;
            if (!isCall && !Keywords.Contains(name.ToLowerInvariant()))
                names.Add(name);
        }
        return names;
    }

    /// <summary>
    /// Every series name an exposition offers a query: sample names, and for each histogram or summary its
    /// <c>_bucket</c>, <c>_sum</c> and <c>_count</c> even before a first observation.
    /// </summary>
    public static IReadOnlySet<string> ExposedNames(string exposition)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in exposition.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
                continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                names.Add(parts[2]);
                if (parts.Length > 3 && parts[3] is "histogram" or "summary")
                {
                    names.Add(parts[2] + "_sum");
                    names.Add(parts[2] + "_count");
                    if (parts[3] == "histogram")
                        names.Add(parts[2] + "_bucket");
                }
                continue;
            }
            if (line.StartsWith('#'))
                continue;
            var end = line.IndexOfAny(['{', ' ']);
            names.Add(end < 0 ? line : line[..end]);
        }
        return names;
    }

    /// <summary>
    /// The value of one sample, named exactly as exposed (<c>name{label="value",…}</c>), or 0 when the series is absent
    /// (a counter or histogram that has not been touched yet).
    /// </summary>
    public static double SampleValue(string exposition, string series)
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (line.Length > series.Length && line.StartsWith(series, StringComparison.Ordinal) && line[series.Length] == ' ')
                return double.Parse(line[(series.Length + 1)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    [GeneratedRegex(@"label_values\(\s*(?<selector>[^,]*?)\s*,\s*[A-Za-z_][A-Za-z0-9_]*\s*\)")]
    private static partial Regex LabelValues();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?")]
    private static partial Regex Variables();

    [GeneratedRegex(@"(?<![A-Za-z0-9_:.$])(?<name>[A-Za-z_:][A-Za-z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifier();
}
