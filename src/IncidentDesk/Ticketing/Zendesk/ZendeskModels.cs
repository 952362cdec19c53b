using System.Text.Json;
using System.Text.Json.Serialization;

namespace IncidentDesk.Ticketing.Zendesk;

// The fields of Zendesk's JSON that we read; everything else (subjects, descriptions, requester) is
// never deserialized, so it cannot be stored by accident.

internal sealed record ZendeskExportPage(
    List<ZendeskTicket>? Tickets,
    [property: JsonPropertyName("metric_sets")] List<ZendeskMetricSet>? MetricSets,
    [property: JsonPropertyName("after_cursor")] string? AfterCursor,
    [property: JsonPropertyName("end_of_stream")] bool EndOfStream);

internal sealed record ZendeskTicket(
    long Id,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    string? Status,
    string? Priority,
    ZendeskVia? Via,
    List<string>? Tags,
    [property: JsonPropertyName("group_id")] long? GroupId);

/// <summary><c>via.channel</c> is a string in the REST API and an integer in some exports: kept raw.</summary>
internal sealed record ZendeskVia(JsonElement Channel);

internal sealed record ZendeskMinutes(int? Calendar, int? Business);

internal sealed record ZendeskMetricSet(
    [property: JsonPropertyName("ticket_id")] long TicketId,
    [property: JsonPropertyName("reply_time_in_minutes")] ZendeskMinutes? ReplyTime,
    [property: JsonPropertyName("on_hold_time_in_minutes")] ZendeskMinutes? OnHoldTime,
    [property: JsonPropertyName("solved_at")] DateTimeOffset? SolvedAt);

internal sealed record ZendeskRatingsPage(
    [property: JsonPropertyName("satisfaction_ratings")] List<ZendeskRating>? SatisfactionRatings,
    ZendeskMeta? Meta);

internal sealed record ZendeskMeta([property: JsonPropertyName("has_more")] bool HasMore, [property: JsonPropertyName("after_cursor")] string? AfterCursor);

internal sealed record ZendeskRating(
    long Id,
    string? Score,
    [property: JsonPropertyName("ticket_id")] long? TicketId,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset? UpdatedAt);

/// <summary>A page of the time-based incremental export of ticket metric events.</summary>
internal sealed record ZendeskMetricEventsPage(
    [property: JsonPropertyName("ticket_metric_events")] List<ZendeskMetricEvent>? TicketMetricEvents,
    [property: JsonPropertyName("end_time")] long? EndTime,
    [property: JsonPropertyName("end_of_stream")] bool EndOfStream);

/// <summary>One metric event: <c>metric</c> reply_time, agent_work_time, …; <c>type</c> activate, pause, fulfill, apply_sla, breach, update_status.</summary>
internal sealed record ZendeskMetricEvent(
    long Id,
    [property: JsonPropertyName("ticket_id")] long TicketId,
    string? Metric,
    [property: JsonPropertyName("instance_id")] int? InstanceId,
    string? Type,
    DateTimeOffset Time);
