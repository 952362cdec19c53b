using Prometheus;

namespace IncidentDesk.Ticketing;

/// <summary>The ingestion series; labels are the source name and an error kind, never a ticket id.</summary>
public static class IngestionMetrics
{
    public static readonly Counter TicketsIngested = Metrics.CreateCounter(
        "incidentdesk_tickets_ingested_total", "Contacts (tickets and calls) inserted or changed, per source; re-reads that change nothing are not counted.", "source");

    public static readonly Gauge SourceUp = Metrics.CreateGauge(
        "incidentdesk_source_up", "1 when the last poll of the source succeeded, 0 when it failed.", "source");

    public static readonly Gauge LastSuccess = Metrics.CreateGauge(
        "incidentdesk_source_last_success_timestamp_seconds", "Unix time of the last successful poll of the source.", "source");

    public static readonly Counter SourceErrors = Metrics.CreateCounter(
        "incidentdesk_source_errors_total",
        "Failures talking to a source: rate_limited, server_error, client_error, timeout, network, malformed, repeating_cursor, invalid_record, database.",
        "source", "kind");
}

/// <summary>Counts every 429 and 5xx answer, including those the retry handler above it hides by retrying.</summary>
public sealed class SourceErrorCountingHandler(string source) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if ((int)response.StatusCode == 429)
            IngestionMetrics.SourceErrors.WithLabels(source, "rate_limited").Inc();
        else if ((int)response.StatusCode >= 500)
            IngestionMetrics.SourceErrors.WithLabels(source, "server_error").Inc();
        return response;
    }
}
