using IncidentDesk.Dashboards;

namespace IncidentDesk.UnitTests.Observability;

public sealed class GrafanaOptionsTests
{
    [Fact]
    public void An_absent_section_is_valid_grafana_is_optional() =>
        new GrafanaOptions().Validate("Grafana").Should().BeEmpty();

    [Fact]
    public void A_url_with_a_token_is_valid() =>
        new GrafanaOptions { Url = "https://grafana.example.com", Token = "glsa_x" }.Validate("Grafana").Should().BeEmpty();

    [Fact]
    public void A_url_needs_a_token() =>
        new GrafanaOptions { Url = "http://grafana:3000" }.Validate("Grafana").Should().Equal(
            "Grafana:Token: is required when Grafana:Url is set (a Grafana service-account token)");

    [Fact]
    public void A_url_that_is_not_http_and_a_bad_folder_uid_are_named_by_key() =>
        new GrafanaOptions { Url = "grafana:3000", Token = "t", FolderUid = "has spaces" }.Validate("Grafana").Should().Equal(
            "Grafana:Url: 'grafana:3000' is not an absolute http(s) URL",
            "Grafana:FolderUid: 'has spaces' must be 1-40 letters, digits, '-' or '_'");
}
