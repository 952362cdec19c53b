using System.Text;
using IncidentDesk.Paging;
using IncidentDesk.Paging.Email;
using IncidentDesk.Paging.Slack;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IncidentDesk.UnitTests.Paging;

public sealed class SignatureTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 9, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Slack_signature_matches_the_documented_example()
    {
        // The example from Slack's "Verifying requests from Slack" page.
        var body = Encoding.UTF8.GetBytes("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c");
        SlackSignature.Sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body)
            .Should().Be("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
    }

    [Fact]
    public void Slack_signature_is_refused_when_stale_tampered_missing_or_under_another_secret()
    {
        var body = "payload=%7B%7D"u8.ToArray();
        var ts = Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var good = SlackSignature.Sign("secret", ts, body);
        SlackSignature.Verify("secret", ts, good, body, Now).Should().BeTrue();
        SlackSignature.Verify("secret", ts, good, body, Now.AddMinutes(5).AddSeconds(1)).Should().BeFalse("older than five minutes");
        SlackSignature.Verify("secret", ts, good, "payload=%7B%7E"u8.ToArray(), Now).Should().BeFalse("body changed");
        SlackSignature.Verify("other", ts, good, body, Now).Should().BeFalse();
        SlackSignature.Verify("secret", ts, null, body, Now).Should().BeFalse();
        SlackSignature.Verify("", ts, SlackSignature.Sign("", ts, body), body, Now).Should().BeFalse("no secret configured means nothing is trusted");
    }

    [Fact]
    public void Ack_tokens_are_bound_to_incident_and_person_and_expire()
    {
        var time = new FakeTimeProvider(Now);
        var links = new AckLinks(Options.Create(new PagingOptions { LinkSecret = new string('k', 32), LinkLifetime = TimeSpan.FromHours(24) }), time);
        var token = links.Create(42, "anna.b");
        links.Verify(token).Should().Be(new AckGrant(42, "anna.b", Now.AddHours(24)));

        var forged = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        links.Verify(forged).Should().BeNull();
        var otherIncident = Convert.ToBase64String(Encoding.UTF8.GetBytes($"43.anna.b.{Now.AddHours(24).ToUnixTimeSeconds()}")).TrimEnd('=') + token[token.IndexOf('.', StringComparison.Ordinal)..];
        links.Verify(otherIncident).Should().BeNull("the signature covers the incident id");
        var otherKey = new AckLinks(Options.Create(new PagingOptions { LinkSecret = new string('x', 32) }), time);
        otherKey.Verify(token).Should().BeNull();
        links.Verify("garbage").Should().BeNull();

        time.Advance(TimeSpan.FromHours(24));
        links.Verify(token).Should().BeNull("expired");
    }
}
