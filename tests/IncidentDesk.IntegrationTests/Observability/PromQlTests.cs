namespace IncidentDesk.IntegrationTests.Observability;

/// <summary>The metric-name reader the coverage tests depend on: it must neither miss names nor invent them.</summary>
public sealed class PromQlTests
{
    [Theory]
    [InlineData("incidentdesk_incidents_open", "incidentdesk_incidents_open")]
    [InlineData("max by (rule, channel) (incidentdesk_sla_breached{rule=~\"$rule\", channel=~\"$channel\"}) == 1", "incidentdesk_sla_breached")]
    [InlineData("histogram_quantile(0.9, sum by (le, channel) (rate(incidentdesk_first_response_seconds_bucket{channel=~\"$channel\"}[$__rate_interval])))", "incidentdesk_first_response_seconds_bucket")]
    [InlineData("time() - max by (source) (incidentdesk_source_last_success_timestamp_seconds{source=~\"$source\"})", "incidentdesk_source_last_success_timestamp_seconds")]
    [InlineData("sum(a_total) / (sum(a_total) + sum(b_total)) > 0.2 and on(channel) c", "a_total,b_total,c")]
    [InlineData("label_values(incidentdesk_sla_compliance_ratio{channel=~\"$channel\"}, rule)", "incidentdesk_sla_compliance_ratio")]
    [InlineData("absent(up{job=\"incidentdesk\"} == 1)", "up")]
    [InlineData("x offset 5m unless ignoring(instance) y", "x,y")]
    [InlineData("sum without (instance) (rate(m_total[5m])) * 60", "m_total")]
    public void Finds_the_metric_names_of_an_expression(string expr, string expected)
    {
        PromQl.MetricNames(expr).Should().BeEquivalentTo(expected.Split(','));
    }

    [Fact]
    public void Exposed_names_include_histogram_series_before_the_first_observation()
    {
        const string exposition = """
            # HELP a_seconds A histogram.
            # TYPE a_seconds histogram
            # HELP b_total A counter.
            # TYPE b_total counter
            b_total{x="1"} 3
            c 1
            """;
        PromQl.ExposedNames(exposition).Should().BeEquivalentTo("a_seconds", "a_seconds_bucket", "a_seconds_sum", "a_seconds_count", "b_total", "c");
    }
}
