using Prometheus;

namespace IncidentDesk.Paging;

/// <summary>The paging metrics, read where the pages are sent and acknowledged.</summary>
internal static class PagingMetrics
{
    public static readonly Counter Sent = Metrics.CreateCounter(
        "incidentdesk_pages_sent_total", "Pages delivered, by channel.", "channel");

    public static readonly Counter Failed = Metrics.CreateCounter(
        "incidentdesk_pages_failed_total", "Failed page delivery attempts (each retry counts), by channel.", "channel");

    public static readonly Histogram AckSeconds = Metrics.CreateHistogram(
        "incidentdesk_page_ack_seconds", "Time from an incident's first page to its acknowledgment.",
        new HistogramConfiguration { Buckets = [15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600] });

    public static readonly Counter Escalations = Metrics.CreateCounter(
        "incidentdesk_escalations_total", "Escalations to a higher level because nobody acknowledged in time.", "level");

    /// <summary>
    /// Publishes every series at zero from the start (Prometheus practice: a counter that appears only on its
    /// first increment makes rate() and alerts blind to that first event).
    /// </summary>
    public static void Initialize(int escalationLevels)
    {
        foreach (var channel in new[] { "slack", "email" })
        {
            Sent.WithLabels(channel);
            Failed.WithLabels(channel);
        }
        for (var level = 2; level <= escalationLevels; level++)
            Escalations.WithLabels(level.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
