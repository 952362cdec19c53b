using System.Globalization;
using System.Text.RegularExpressions;

namespace IncidentDesk.Configuration;

/// <summary>Durations as users write them in the files they edit: 30s, 15m, 4h, 7d and combinations in that order.</summary>
public static partial class Durations
{
    /// <summary>Parses 30s, 15m, 4h, 7d and combinations in that order (1d12h, 1h30m); zero is refused.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        var match = Pattern().Match(text ?? "");
        if (!match.Success || match.Length == 0)
            return false;
        static long Part(Group g) => g.Success ? long.Parse(g.Value.AsSpan(0, g.Value.Length - 1), CultureInfo.InvariantCulture) : 0;
        value = TimeSpan.FromDays(Part(match.Groups[1])) + TimeSpan.FromHours(Part(match.Groups[2]))
            + TimeSpan.FromMinutes(Part(match.Groups[3])) + TimeSpan.FromSeconds(Part(match.Groups[4]));
        return value > TimeSpan.Zero;
    }

    [GeneratedRegex(@"^(\d+d)?(\d+h)?(\d+m)?(\d+s)?$")]
    private static partial Regex Pattern();
}
