using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using IncidentDesk.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace IncidentDesk.IntegrationTests.Paging;

/// <summary>
/// The e-mail acknowledgment link as a person uses it: the page e-mail is read back from smtp4dev, its link is opened
/// in a real headless Chromium (the Debian package at <see cref="BrowserFactAttribute.ChromiumPath"/>, driven by
/// Playwright), and the Confirm button is clicked.
/// </summary>
public sealed class AckLinkBrowserTests(TestDatabase database) : IClassFixture<TestDatabase>, IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(PagingFlowTests.Start);
    private PagingHarness harness = null!;
    private TestService service = null!;

    public async Task InitializeAsync()
    {
        harness = await PagingHarness.StartAsync();
        service = await TestService.StartAsync(database, harness.Settings(), time);
    }

    public async Task DisposeAsync()
    {
        await service.DisposeAsync();
        await harness.DisposeAsync();
    }

    [BrowserFact]
    public async Task The_ack_link_from_a_received_page_email_opened_in_Chromium_confirms_and_acknowledges_as_the_paged_lead()
    {
        using var admin = service.Client(TestService.AdminKey);
        var title = "AckBrowser-" + harness.Suffix;
        var id = await PagingHarness.FireAlertAsync(admin, title);

        // The page e-mail as smtp4dev received it, and the link in its body.
        var mail = (await Eventually.Until(() => harness.Smtp.MailToAsync(harness.Email("anna")), m => m.Any(x => x.Subject.Contains($"#{id} ", StringComparison.Ordinal)), what: "e-mail page to anna"))
            .Single(x => x.Subject.Contains($"#{id} ", StringComparison.Ordinal));
        var link = Regex.Match(mail.Text, @"http://\S+/ack/\S+").Value;
        link.Should().StartWith(harness.BaseUrl + "ack/", "the link names the service's public base URL");
        mail.Html.Should().Contain($"href=\"{link}\"", "the HTML part carries the same link");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = BrowserFactAttribute.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();

        var confirm = await page.GotoAsync(link);
        confirm!.Status.Should().Be(200);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acknowledge incident" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("strong", new() { HasText = title })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Acknowledge as anna?")).ToBeVisibleAsync();
        await StatusShouldBeAsync(admin, id, "triggered", null);

        // Clicking submits the form (POST /ack/{token}) and the browser lands on the result page.
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm acknowledgment" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Acknowledged", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#result")).ToHaveTextAsync($"Incident #{id} is acknowledged by anna. No further pages will be sent.");
        page.Url.Should().Be(link, "the form posts back to the link itself");

        var screenshot = Path.Combine(Path.GetTempPath(), $"incidentdesk-ack-{harness.Suffix}.png");
        try
        {
            await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
            new FileInfo(screenshot).Length.Should().BePositive();
        }
        finally
        {
            File.Delete(screenshot);
        }

        await StatusShouldBeAsync(admin, id, "acknowledged", "anna");
    }

    private static async Task StatusShouldBeAsync(HttpClient admin, long id, string status, string? acknowledgedBy)
    {
        var incident = (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/incidents/{id}")).GetProperty("incident");
        incident.GetProperty("status").GetString().Should().Be(status);
        if (acknowledgedBy is not null)
            incident.GetProperty("acknowledgedBy").GetString().Should().Be(acknowledgedBy);
    }
}

/// <summary>
/// A test that needs PostgreSQL and Chromium (<c>scripts/install-deps.sh</c> installs it): skipped on a developer machine
/// without them, but never under CI (<c>CI</c> set), where a missing browser or database must fail the run.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        Skip = PostgresFactAttribute.SkipReason
            ?? (!PostgresFactAttribute.IsCi && !File.Exists(ChromiumPath) ? $"Chromium not found at {ChromiumPath} (run scripts/install-deps.sh)" : null);
    }
}
