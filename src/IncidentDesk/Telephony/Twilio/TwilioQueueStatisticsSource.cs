using System.Globalization;
using System.Text.Json;
using IncidentDesk.Ticketing;
using Microsoft.Extensions.Options;

namespace IncidentDesk.Telephony.Twilio;

/// <summary>
/// TaskRouter cumulative statistics of each configured queue, one finished window at a time:
/// <c>GET /v1/Workspaces/{WS}/TaskQueues/{WQ}/CumulativeStatistics?StartDate=&amp;EndDate=&amp;TaskChannel=voice&amp;SplitByWaitTime=20,60</c>.
/// A page is one window over all queues, committed with the cursor (the end of that window); a window
/// is read only once it is over (plus a minute for TaskRouter to settle). Re-reading a window changes nothing.
/// </summary>
public sealed class TwilioQueueStatisticsSource(HttpClient http, IOptions<TwilioOptions> options, TimeProvider time) : IContactSource
{
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(1);

    public string Source => TwilioCallSource.Name;

    public string CursorKey => TwilioCallSource.Name + ":queue-statistics";

    /// <param name="From">Start of the next window to read.</param>
    private sealed record Cursor(DateTimeOffset From);

    public string CursorFrom(DateTimeOffset since) => Serialize(new Cursor(Floor(since, options.Value.StatisticsWindow)));

    public async Task<SourcePage> FetchAsync(string? cursor, CancellationToken ct)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var state = cursor is null
            ? new Cursor(Floor(o.StatisticsStartFrom ?? now.AddDays(-1), o.StatisticsWindow))
            : JsonSerializer.Deserialize<Cursor>(cursor, SourceHttp.Json)!;
        var from = state.From;
        var to = from + o.StatisticsWindow;
        if (to > now - Settle)
            return SourcePage.Of([], Serialize(state), caughtUp: true); // the window is not over yet

        var split = string.Join(",", o.SplitByWaitTime.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        var rows = new List<QueueStatistics>();
        foreach (var queue in o.TaskQueueSids)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get,
                $"v1/Workspaces/{Uri.EscapeDataString(o.WorkspaceSid)}/TaskQueues/{Uri.EscapeDataString(queue)}/CumulativeStatistics" +
                $"?StartDate={Uri.EscapeDataString(Iso(from))}&EndDate={Uri.EscapeDataString(Iso(to))}&TaskChannel=voice&SplitByWaitTime={Uri.EscapeDataString(split)}");
            var s = await http.SendJsonAsync<TwilioQueueCumulativeStatistics>(Source, request, ct);
            var wait = s.WaitDurationUntilAccepted;
            rows.Add(new QueueStatistics(Source, queue, from, to, s.TasksEntered, s.TasksCanceled, s.ReservationsAccepted,
                wait?.Avg, wait?.Max, wait?.Total,
                s.SplitByWaitTime is { ValueKind: JsonValueKind.Object } j ? j.GetRawText() : "{}"));
        }
        var next = new Cursor(to);
        return new SourcePage([], [], Serialize(next), CaughtUp: to + o.StatisticsWindow > now - Settle) { QueueStatistics = rows };
    }

    private static DateTimeOffset Floor(DateTimeOffset t, TimeSpan window) =>
        new(t.UtcTicks - t.UtcTicks % window.Ticks, TimeSpan.Zero);

    private static string Serialize(Cursor c) => JsonSerializer.Serialize(c, SourceHttp.Json);

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
