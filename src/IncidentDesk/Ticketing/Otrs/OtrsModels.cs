using System.Text.Json;

namespace IncidentDesk.Ticketing.Otrs;

// GenericTicketConnectorREST answers; OTRS writes many numbers as strings, which the web JSON
// defaults read. Title, customer user and owner are never deserialized.

/// <summary>Every operation may answer HTTP 200 with <c>{"Error": {ErrorCode, ErrorMessage}}</c> instead.</summary>
internal sealed record OtrsError(string? ErrorCode, string? ErrorMessage);

internal sealed record OtrsSessionReply(string? SessionID, OtrsError? Error);

/// <summary>TicketSearch: <c>{"TicketID": ["1", ...]}</c>, or <c>{}</c> when nothing matches.</summary>
internal sealed record OtrsSearchReply(List<JsonElement>? TicketID, OtrsError? Error);

internal sealed record OtrsGetReply(List<OtrsTicket>? Ticket, OtrsError? Error);

/// <summary>TicketGet with <c>Extended=1</c> (first response fields) and <c>DynamicField=1</c>.</summary>
internal sealed record OtrsTicket(
    long TicketID,
    string? TicketNumber,
    string? Created,
    string? Changed,
    string? State,
    string? StateType,
    string? Priority,
    string? Queue,
    string? Type,
    JsonElement FirstResponseTimeEscalation,
    string? FirstResponse,
    int? FirstResponseInMin,
    int? FirstResponseDiffInMin,
    string? Closed,
    List<OtrsDynamicField>? DynamicField);

internal sealed record OtrsDynamicField(string? Name, JsonElement Value);
