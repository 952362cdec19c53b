using IncidentDesk.Paging.Email;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace IncidentDesk.Runbooks.Communicate;

/// <summary>One customer notice by e-mail.</summary>
/// <param name="MessageId">The idempotency key, also the mail's Message-ID (without angle brackets).</param>
public sealed record CustomerMail(string ToName, string ToAddress, string Subject, string Body, string MessageId);

/// <summary>
/// Sends customer notices. <see cref="MailNotSentException"/> means the server certainly did not take the
/// message (retry freely); any other exception leaves it unknown whether the message went out.
/// </summary>
public interface ICustomerMailSender
{
    bool Configured { get; }

    Task SendAsync(CustomerMail mail, CancellationToken ct);
}

public sealed class MailNotSentException(string message, Exception inner) : Exception(message, inner);

/// <summary>MailKit over SMTP; one connection per message (notices are few and far between).</summary>
/// <remarks>The same <c>Smtp</c> server and options as the e-mail pages (<see cref="SmtpOptions"/>).</remarks>
internal sealed class SmtpCustomerMailSender(IOptions<SmtpOptions> options) : ICustomerMailSender
{
    public bool Configured => options.Value.Enabled;

    public async Task SendAsync(CustomerMail mail, CancellationToken ct)
    {
        var o = options.Value;
        var message = new MimeMessage { Subject = mail.Subject, MessageId = mail.MessageId };
        message.From.Add(MailboxAddress.Parse(o.From));
        message.To.Add(new MailboxAddress(mail.ToName, mail.ToAddress));
        message.Body = new TextPart("plain") { Text = mail.Body };

        using var client = new SmtpClient { Timeout = (int)o.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(o.Host, o.Port, Enum.Parse<SecureSocketOptions>(o.Security, ignoreCase: true), ct);
            if (!string.IsNullOrEmpty(o.User))
                await client.AuthenticateAsync(o.User, o.Password ?? "", ct);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or SmtpCommandException or SmtpProtocolException or AuthenticationException or IOException)
        {
            throw new MailNotSentException($"SMTP {o.Host}:{o.Port} not available: {e.Message}", e);
        }
        try
        {
            await client.SendAsync(message, ct);
        }
        catch (SmtpCommandException e) when (e.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.SenderNotAccepted)
        {
            // Refused before DATA: the message was not taken.
            throw new MailNotSentException($"SMTP refused the message: {e.Message}", e);
        }
        await client.DisconnectAsync(true, ct);
    }
}
