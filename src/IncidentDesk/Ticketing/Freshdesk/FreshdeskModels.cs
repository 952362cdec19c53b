using System.Text.Json.Serialization;

namespace IncidentDesk.Ticketing.Freshdesk;

// The fields of Freshdesk's ticket JSON that we read; subject, e-mail lists and requester are never
// deserialized, so they cannot be stored by accident.

/// <summary>One ticket of <c>GET /api/v2/tickets</c> (a bare JSON array); <c>stats</c> only with <c>include=stats</c>.</summary>
internal sealed record FreshdeskTicket(
    long Id,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("updated_at")] DateTimeOffset UpdatedAt,
    int Status,
    int Priority,
    int Source,
    List<string>? Tags,
    [property: JsonPropertyName("group_id")] long? GroupId,
    [property: JsonPropertyName("fr_escalated")] bool FrEscalated,
    [property: JsonPropertyName("fr_due_by")] DateTimeOffset? FrDueBy,
    FreshdeskStats? Stats);

internal sealed record FreshdeskStats(
    [property: JsonPropertyName("first_responded_at")] DateTimeOffset? FirstRespondedAt,
    [property: JsonPropertyName("resolved_at")] DateTimeOffset? ResolvedAt,
    [property: JsonPropertyName("closed_at")] DateTimeOffset? ClosedAt);
