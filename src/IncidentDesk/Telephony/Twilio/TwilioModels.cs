using System.Text.Json;
using System.Text.Json.Serialization;

namespace IncidentDesk.Telephony.Twilio;

// Only the fields we read. "from", "to", "caller_name", "forwarded_from" (phone numbers and names) are
// never deserialized, so they cannot be stored by accident.

/// <summary>A page of <c>GET /2010-04-01/Accounts/{Sid}/Calls.json</c>.</summary>
internal sealed record TwilioCallPage(
    List<TwilioCall>? Calls,
    [property: JsonPropertyName("next_page_uri")] string? NextPageUri);

/// <summary>One call; times are RFC 2822 strings, <c>duration</c> a string of seconds (null while in progress).</summary>
internal sealed record TwilioCall(
    string Sid,
    [property: JsonPropertyName("parent_call_sid")] string? ParentCallSid,
    string? Status,
    string? Direction,
    [property: JsonPropertyName("date_created")] string? DateCreated,
    [property: JsonPropertyName("date_updated")] string? DateUpdated,
    [property: JsonPropertyName("start_time")] string? StartTime,
    [property: JsonPropertyName("end_time")] string? EndTime,
    string? Duration);

/// <summary><c>GET /v1/Workspaces/{WS}/TaskQueues/{WQ}/CumulativeStatistics</c> (TaskRouter).</summary>
internal sealed record TwilioQueueCumulativeStatistics(
    [property: JsonPropertyName("task_queue_sid")] string? TaskQueueSid,
    [property: JsonPropertyName("tasks_entered")] int TasksEntered,
    [property: JsonPropertyName("tasks_canceled")] int TasksCanceled,
    [property: JsonPropertyName("reservations_accepted")] int ReservationsAccepted,
    [property: JsonPropertyName("wait_duration_until_accepted")] TwilioDuration? WaitDurationUntilAccepted,
    [property: JsonPropertyName("split_by_wait_time")] JsonElement? SplitByWaitTime);

/// <summary><c>{avg, min, max, total}</c> in seconds.</summary>
internal sealed record TwilioDuration(double? Avg, double? Min, double? Max, double? Total);
