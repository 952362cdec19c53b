using System.Net;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace IncidentDesk.Paging.Email;

/// <summary>
/// Pages by e-mail with a one-click acknowledgment link. The Message-ID is the page's idempotency key, so a page
/// re-sent after a crash between the server's "250 OK" and our record is the same message to any mail system
/// that deduplicates by Message-ID (the remaining at-least-once window; see the README).
/// </summary>
public sealed class SmtpPager(IOptions<SmtpOptions> options, IOptions<PagingOptions> paging, AckLinks links, OnCall.OnCallDirectory onCall) : IPager
{
    public string Channel => "email";

    public async Task<PageOutcome> SendAsync(PageMessage page, CancellationToken ct)
    {
        var o = options.Value;
        var message = Build(page, o);
        using var client = new SmtpClient { Timeout = (int)o.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(o.Host, o.Port, Enum.Parse<SecureSocketOptions>(o.Security, ignoreCase: true), ct);
            if (o.User.Length > 0)
                await client.AuthenticateAsync(new NetworkCredential(o.User, o.Password), ct);
            await client.SendAsync(message, ct);
            await client.DisconnectAsync(quit: true, ct);
            return PageOutcome.Sent();
        }
        catch (SmtpCommandException e) when (e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.SenderNotAccepted)
        {
            return PageOutcome.Failed($"smtp: {e.StatusCode}: {e.Message}", permanent: (int)e.StatusCode >= 500);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException or AuthenticationException
            or System.Net.Sockets.SocketException or IOException or TimeoutException or SslHandshakeException
            || e is OperationCanceledException && !ct.IsCancellationRequested)
        {
            return PageOutcome.Failed("smtp: " + e.Message, inDoubt: true);
        }
    }

    private MimeMessage Build(PageMessage page, SmtpOptions o)
    {
        var host = new Uri(paging.Value.PublicBaseUrl).Host;
        var message = new MimeMessage { MessageId = $"{page.IdempotencyKey}@{host}" };
        message.From.Add(MailboxAddress.Parse(o.From));
        message.To.Add(new MailboxAddress(page.PersonName, page.Address));
        message.Subject = $"[IncidentDesk] [{page.Severity}] #{page.IncidentId} {page.Title} — please acknowledge"
            + (page.Attempt > 1 ? $" (repeat {page.Attempt})" : "");
        message.Headers.Add("X-IncidentDesk-Incident", page.IncidentId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        message.Headers.Add("X-IncidentDesk-Page", page.IdempotencyKey);

        var deadline = PagingOptions.Describe(onCall.AckTimeout(page.Level, paging.Value.AckTimeout));
        var link = links.Enabled ? links.LinkFor(page.IncidentId, page.Person).ToString() : null;
        var text = $"""
            {page.PersonName},

            incident #{page.IncidentId} ({page.Severity}) needs you: {page.Title}
            {page.Summary}

            Please acknowledge within {deadline}, or the next level of the escalation chain is paged.
            {(link is null ? "Acknowledge with: incidentdesk ack " + page.IncidentId + " --by " + page.Person : "Acknowledge: " + link)}

            (page {page.Attempt}, escalation level {page.Level})
            """;
        var body = new BodyBuilder { TextBody = text };
        if (link is not null)
        {
            var title = WebUtility.HtmlEncode(page.Title);
            body.HtmlBody = $"""
                <p>{WebUtility.HtmlEncode(page.PersonName)},</p>
                <p>incident #{page.IncidentId} ({page.Severity}) needs you: <strong>{title}</strong></p>
                <p>{WebUtility.HtmlEncode(page.Summary ?? "")}</p>
                <p>Please acknowledge within {deadline}, or the next level of the escalation chain is paged.</p>
                <p><a href="{link}" id="ack">Acknowledge incident #{page.IncidentId}</a></p>
                <p><small>page {page.Attempt}, escalation level {page.Level}</small></p>
                """;
        }
        message.Body = body.ToMessageBody();
        return message;
    }
}
