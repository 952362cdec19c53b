using System.Text.Json;
using System.Text.Json.Serialization;

namespace IncidentDesk.Ticketing.Jira;

// The fields of Jira's JSON that we read. Summary, description, reporter and comments are never
// requested (search asks for named fields only) nor deserialized.

/// <summary><c>POST|GET /rest/api/3/search/jql</c>: enhanced search, paged by an opaque token.</summary>
internal sealed record JiraSearchPage(List<JiraIssue>? Issues, string? NextPageToken, bool IsLast);

/// <summary>An issue with the requested fields; custom fields are kept raw (their shape depends on the field type).</summary>
internal sealed record JiraIssue(string Id, string Key, Dictionary<string, JsonElement>? Fields);

internal sealed record JiraName(string? Name);

internal sealed record JiraStatus(string? Name, JiraStatusCategory? StatusCategory);

/// <summary><c>key</c> is <c>new</c>, <c>indeterminate</c> or <c>done</c>.</summary>
internal sealed record JiraStatusCategory(string? Key);

/// <summary><c>GET /rest/servicedeskapi/request/{key}/sla</c>: a page of SLA metrics.</summary>
internal sealed record JiraSlaPage(int Start, int Limit, int Size, bool IsLastPage, List<JiraSla>? Values);

internal sealed record JiraSla(string? Id, string? Name, JiraSlaCycle? OngoingCycle, List<JiraSlaCycle>? CompletedCycles);

/// <summary>One SLA cycle; <c>stopTime</c> only on completed cycles, <c>paused</c> only on the ongoing one.</summary>
internal sealed record JiraSlaCycle(
    JiraDate? StartTime,
    JiraDate? StopTime,
    JiraDate? BreachTime,
    bool Breached,
    bool? Paused,
    bool? WithinCalendarHours,
    JiraDuration? GoalDuration,
    JiraDuration? ElapsedTime,
    JiraDuration? RemainingTime);

internal sealed record JiraDate([property: JsonPropertyName("epochMillis")] long EpochMillis, string? Iso8601);

internal sealed record JiraDuration(long Millis, string? Friendly);
