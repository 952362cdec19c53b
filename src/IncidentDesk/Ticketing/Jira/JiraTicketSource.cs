using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Ticketing.Jira;

/// <summary>
/// Jira Service Management: the enhanced JQL search (<c>GET /rest/api/3/search/jql</c>, paged by
/// <c>nextPageToken</c> until <c>isLast</c>) for requests updated since the cursor, oldest change first,
/// then <c>GET /rest/servicedeskapi/request/{key}/sla</c> per request for the first-response SLA.
/// The cursor holds the lower bound of the listing in progress, its page token and the newest update
/// seen; when the listing ends the bound moves to that newest update (floored to the minute, JQL's
/// precision), so the last minute is read twice and the upsert makes the second read change nothing.
/// </summary>
public sealed class JiraTicketSource(HttpClient http, IOptions<JiraOptions> options, TimeProvider time, ILogger<JiraTicketSource> logger) : IContactSource
{
    public const string Name = "jira";

    public string Source => Name;

    public string CursorKey => Name;

    private sealed record Cursor(DateTimeOffset Since, string? Token, DateTimeOffset? Newest);

    public string CursorFrom(DateTimeOffset since) => JsonSerializer.Serialize(new Cursor(since, null, null), SourceHttp.Json);

    public async Task<SourcePage> FetchAsync(string? cursor, CancellationToken ct)
    {
        var o = options.Value;
        var state = cursor is null
            ? new Cursor(o.StartFrom ?? time.GetUtcNow().AddDays(-30), null, null)
            : JsonSerializer.Deserialize<Cursor>(cursor, SourceHttp.Json)!;
        JiraSearchPage page;
        try
        {
            page = await SearchAsync(o, state, ct);
        }
        catch (SourceException e) when (e.Kind == "client_error" && state.Token is not null)
        {
            // Page tokens are not meant to outlive a listing (a crash may leave an old one in the cursor):
            // start the listing again from its lower bound; what was read already is re-read harmlessly.
            logger.LogWarning("Jira refused the saved page token ({Error}); listing again from {Since}", e.Message, state.Since);
            state = state with { Token = null };
            page = await SearchAsync(o, state, ct);
        }
        var issues = page.Issues ?? throw new SourceException(Name, "malformed", "search page without an issues array");

        var slas = new ConcurrentDictionary<string, JiraSla?>();
        await Parallel.ForEachAsync(issues, new ParallelOptions { MaxDegreeOfParallelism = o.SlaConcurrency, CancellationToken = ct },
            async (issue, token) => slas[issue.Key] = await FirstResponseSlaAsync(o, issue.Key, token));
        var contacts = issues.Select(i => ToContact(i, slas.GetValueOrDefault(i.Key), o)).ToList();

        var newest = contacts.Select(c => (DateTimeOffset?)c.SourceUpdatedAt).Append(state.Newest).Max();
        var last = page.IsLast || page.NextPageToken is not { Length: > 0 };
        var next = last
            ? new Cursor(FloorToMinute(newest is { } n && n > state.Since ? n : state.Since), null, null)
            : new Cursor(state.Since, page.NextPageToken, newest);
        return SourcePage.Of(contacts, JsonSerializer.Serialize(next, SourceHttp.Json), caughtUp: last);
    }

    /// <summary>The fields asked for: without <c>fields</c> the enhanced search returns ids only.</summary>
    internal static string Fields(JiraOptions o) => string.Join(',', new[] { "created", "updated", "status", "priority", "labels", "resolutiondate", o.TechEscalationField, o.AgentErrorField, o.ChannelField }
        .Where(f => !string.IsNullOrWhiteSpace(f)).Distinct(StringComparer.Ordinal));

    /// <summary>JQL dates are minutes in the API user's time zone.</summary>
    internal static string JqlFor(JiraOptions o, DateTimeOffset since)
    {
        var local = TimeZoneInfo.ConvertTime(since, o.Zone);
        var bound = $"updated >= \"{local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}\"";
        return (string.IsNullOrWhiteSpace(o.Jql) ? bound : $"({o.Jql}) AND {bound}") + " ORDER BY updated ASC";
    }

    private async Task<JiraSearchPage> SearchAsync(JiraOptions o, Cursor state, CancellationToken ct)
    {
        var url = $"rest/api/3/search/jql?jql={Uri.EscapeDataString(JqlFor(o, state.Since))}&fields={Uri.EscapeDataString(Fields(o))}&maxResults={o.PageSize.ToString(CultureInfo.InvariantCulture)}";
        if (state.Token is not null)
            url += "&nextPageToken=" + Uri.EscapeDataString(state.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        return await http.SendJsonAsync<JiraSearchPage>(Name, request, ct);
    }

    /// <summary>The configured SLA of one request; null when the request has none (a 404: not a service project, or no such SLA).</summary>
    private async Task<JiraSla?> FirstResponseSlaAsync(JiraOptions o, string key, CancellationToken ct)
    {
        for (var start = 0; ;)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"rest/servicedeskapi/request/{Uri.EscapeDataString(key)}/sla?start={start.ToString(CultureInfo.InvariantCulture)}&limit=50");
            var page = await http.SendJsonOrNullIfNotFoundAsync<JiraSlaPage>(Name, request, ct);
            if (page is null)
                return null;
            var values = page.Values ?? throw new SourceException(Name, "malformed", $"SLA page of {key} without a values array");
            if (values.FirstOrDefault(s => string.Equals(s.Name, o.FirstResponseSla, StringComparison.OrdinalIgnoreCase)) is { } sla)
                return sla;
            if (page.IsLastPage || values.Count == 0)
                return null;
            start += values.Count;
        }
    }

    private static Contact ToContact(JiraIssue issue, JiraSla? sla, JiraOptions o)
    {
        var fields = issue.Fields ?? throw new SourceException(Name, "malformed", $"issue {issue.Key} without fields");
        JsonElement Field(string? name) => name is not null && fields.TryGetValue(name, out var v) ? v : default;
        T? As<T>(string name) where T : class => Field(name) is { ValueKind: JsonValueKind.Object } v ? v.Deserialize<T>(SourceHttp.Json) : null;

        var labels = Field("labels") is { ValueKind: JsonValueKind.Array } l
            ? l.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : [];
        var created = JiraMapping.Time(Field("created")) ?? throw new SourceException(Name, "malformed", $"issue {issue.Key} without a created time");
        var updated = JiraMapping.Time(Field("updated")) ?? throw new SourceException(Name, "malformed", $"issue {issue.Key} without an updated time");
        var first = JiraMapping.FromSla(sla);
        return new Contact
        {
            Source = Name,
            // The key (SUP-123), as agents and the "escalate to tech" links name requests.
            ExternalId = issue.Key,
            Channel = JiraMapping.Channel(o, o.ChannelField is null ? null : JiraMapping.Text(Field(o.ChannelField)), labels),
            Priority = JiraMapping.Priority(As<JiraName>("priority")?.Name),
            Status = JiraMapping.Status(As<JiraStatus>("status")),
            Queue = issue.Key.Split('-')[0],
            CreatedAt = created,
            FirstResponseAt = first.At,
            FirstResponseBusinessSeconds = first.ElapsedSeconds,
            SolvedAt = JiraMapping.Time(Field("resolutiondate")),
            SlaBreached = first.Breached,
            SlaPaused = first.Paused,
            SlaRemainingSeconds = first.RemainingSeconds,
            EscalatedToTech = o.HasAny(labels, o.TechEscalationTags) || (o.TechEscalationField is not null && JiraMapping.IsSet(Field(o.TechEscalationField))),
            EscalatedAgentError = o.HasAny(labels, o.AgentErrorTags) || (o.AgentErrorField is not null && JiraMapping.IsSet(Field(o.AgentErrorField))),
            SourceUpdatedAt = updated,
        };
    }

    private static DateTimeOffset FloorToMinute(DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, t.Offset);
}
