using System.Net.Http.Json;
using System.Text.Json;
using IncidentDesk.IntegrationTests.Infrastructure;
using IncidentDesk.IntegrationTests.Runbooks.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace IncidentDesk.IntegrationTests.Runbooks;

/// <summary>Configuration and probes shared by the runbook tests.</summary>
internal static class RunbookTestKit
{
    /// <summary>
    /// Settings pointing every vendor at the fakes and the mail at smtp4dev (or at <paramref name="smtpPort"/>). The
    /// Jira and Zendesk accounts are the runbooks' own (<c>Runbooks:Jira</c>, no polling), or with
    /// <paramref name="vendorSection"/> <c>Ticketing</c> the ticket sources' (which also polls them).
    /// </summary>
    public static Dictionary<string, string?> Settings(VendorFakes fakes, int smtpPort, string? unleashUrl = null, string vendorSection = "Runbooks") => new()
    {
        [$"{vendorSection}:Jira:BaseUrl"] = fakes.BaseUrl,
        [$"{vendorSection}:Jira:Email"] = "desk@example.com",
        [$"{vendorSection}:Jira:ApiToken"] = "jira-token",
        [$"{vendorSection}:Zendesk:BaseUrl"] = fakes.BaseUrl,
        [$"{vendorSection}:Zendesk:Email"] = "desk@example.com",
        [$"{vendorSection}:Zendesk:ApiToken"] = "zendesk-token",
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:From"] = "Support <support@example.com>",
        ["Smtp:Security"] = "None",
        ["FeatureFlags:Provider"] = "unleash",
        ["FeatureFlags:Unleash:BaseUrl"] = unleashUrl ?? fakes.BaseUrl,
        ["FeatureFlags:Unleash:Token"] = "unleash-admin-token",
        ["FeatureFlags:Unleash:Project"] = "default",
        ["FeatureFlags:Unleash:Environment"] = "production",
        ["Runbooks:PollInterval"] = "00:00:01",
        ["Runbooks:CustomerTimeZone"] = "Europe/Berlin",
    };

    /// <summary>
    /// Moves the fake clock a second at a time (each step lets the driver's trigger fire) until the probe is satisfied.
    /// </summary>
    public static Task<T> AdvanceUntil<T>(FakeTimeProvider time, Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? step = null) =>
        Eventually.Until(async () =>
        {
            var value = await probe();
            if (!done(value))
                time.Advance(step ?? TimeSpan.FromSeconds(1));
            return value;
        }, done, TimeSpan.FromSeconds(60), what);

    public static async Task<JsonElement> DetailAsync(HttpClient client, long id) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}");

    public static JsonElement Step(JsonElement detail, string stepId) =>
        detail.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("id").GetString() == stepId);

    public static string Status(JsonElement detail, string stepId) => Step(detail, stepId).GetProperty("status").GetString()!;

    public static IEnumerable<(string Kind, string Message, string Actor)> Timeline(JsonElement detail) =>
        detail.GetProperty("timeline").EnumerateArray().Select(e => (e.GetProperty("kind").GetString()!, e.GetProperty("message").GetString()!, e.GetProperty("actor").GetString()!));

    public static async Task<long> DeclareAsync(HttpClient client, string title, Dictionary<string, string> labels)
    {
        var response = await client.PostAsJsonAsync("/api/v1/incidents", new { title, severity = "high", labels });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }
}
