using System.Globalization;
using IncidentDesk.Ticketing;

namespace IncidentDesk.Telephony;

/// <summary>
/// Folds Asterisk <c>queue_log</c> lines (<c>epoch|callid|queue|agent|EVENT|params</c>) into calls. A call
/// becomes a contact when it ends (COMPLETEAGENT/COMPLETECALLER, ABANDON, EXITWITHTIMEOUT/EXITWITHKEY/EXITEMPTY);
/// until then it waits in <see cref="Open"/>, which the cursor carries from poll to poll.
/// Caller ids in ENTERQUEUE are never read (data minimisation).
/// </summary>
public sealed class QueueLogParser(Dictionary<string, QueueLogParser.OpenCall> open)
{
    public const string Source = "asterisk";

    /// <summary>A call that entered a queue and has not ended yet.</summary>
    public sealed record OpenCall(string Queue, long EnteredAt, long? ConnectedAt = null, string? Agent = null, int? HoldSeconds = null);

    public Dictionary<string, OpenCall> Open { get; } = open;

    /// <summary>Lines that could not be read, with the reason (counted, logged, skipped).</summary>
    public List<string> Rejected { get; } = [];

    /// <summary>Applies one line; returns the finished call, if this line ended one.</summary>
    public Contact? Apply(string line)
    {
        if (string.IsNullOrWhiteSpace(line))
            return null;
        var f = line.Split('|');
        if (f.Length < 5 || !long.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out var at))
        {
            Rejected.Add($"not a queue_log line: '{Truncate(line)}'");
            return null;
        }
        var (callId, queue, agent, ev) = (f[1], f[2], f[3], f[4]);
        if (callId is "NONE" or "")
            return null; // QUEUESTART, ADDMEMBER, PAUSE...: not about a call
        int? P(int i) => f.Length > 5 + i && int.TryParse(f[5 + i], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
        Open.TryGetValue(callId, out var call);
        switch (ev)
        {
            case "ENTERQUEUE":
                Open[callId] = new OpenCall(queue, at);
                return null;
            case "CONNECT":
                if (call is null)
                    return Orphan(callId, ev);
                Open[callId] = call with { ConnectedAt = at, Agent = agent, HoldSeconds = P(0) ?? (int)(at - call.EnteredAt) };
                return null;
            case "COMPLETEAGENT" or "COMPLETECALLER":
                if (call is null)
                    return Orphan(callId, ev);
                Open.Remove(callId);
                var hold = P(0) ?? call.HoldSeconds ?? 0;
                return Call(callId, call, at, answered: true, abandoned: false, wait: hold, talk: P(1), agent: call.Agent ?? agent,
                    connected: call.ConnectedAt ?? call.EnteredAt + hold);
            case "ABANDON" or "EXITWITHTIMEOUT" or "EXITWITHKEY" or "EXITEMPTY":
                if (call is null)
                    return Orphan(callId, ev);
                Open.Remove(callId);
                // ABANDON: the caller hung up; the others: the queue let the caller go unanswered.
                var waited = ev == "EXITEMPTY" ? (int)(at - call.EnteredAt) : P(2) ?? (int)(at - call.EnteredAt);
                return Call(callId, call, at, answered: false, abandoned: ev == "ABANDON", wait: waited, talk: 0, agent: null, connected: null);
            default:
                return null; // RINGNOANSWER, TRANSFER, ...: no change to the call's outcome
        }
    }

    private static Contact Call(string callId, OpenCall call, long endedAt, bool answered, bool abandoned, int wait, int? talk, string? agent, long? connected) => new()
    {
        Source = Source,
        ExternalId = callId,
        Kind = ContactKind.Call,
        Channel = Channels.Phone,
        Status = Statuses.Closed,
        Queue = call.Queue,
        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(call.EnteredAt),
        FirstResponseAt = connected is { } c ? DateTimeOffset.FromUnixTimeSeconds(c) : null,
        SolvedAt = DateTimeOffset.FromUnixTimeSeconds(endedAt),
        WaitSeconds = wait,
        TalkSeconds = talk,
        Answered = answered,
        Abandoned = abandoned,
        Agent = agent is null or "NONE" ? null : agent,
        SourceUpdatedAt = DateTimeOffset.FromUnixTimeSeconds(endedAt),
    };

    private Contact? Orphan(string callId, string ev)
    {
        // The ENTERQUEUE was before the first line we read (e.g. backfill started mid-call): nothing to measure.
        Rejected.Add($"{ev} for call {callId} without its ENTERQUEUE");
        return null;
    }

    private static string Truncate(string s) => s.Length > 80 ? s[..80] + "…" : s;
}
