using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace IncidentDesk.Runbooks.Communicate;

/// <summary>
/// The SMTP server for customer notices, bound from <c>Smtp</c> (the section paging's e-mail channel reads too).
/// <c>Security</c>: <c>None</c>, <c>StartTls</c>, <c>SslOnConnect</c> or <c>Auto</c> (MailKit's names).
/// </summary>
public sealed class CustomerMailOptions
{
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string? User { get; set; }
    public string? Password { get; set; }
    public string? From { get; set; }
    public string Security { get; set; } = "Auto";
}

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
internal sealed class SmtpCustomerMailSender(IOptions<CustomerMailOptions> options) : ICustomerMailSender
{
    public bool Configured => !string.IsNullOrWhiteSpace(options.Value.Host) && !string.IsNullOrWhiteSpace(options.Value.From);

    public async Task SendAsync(CustomerMail mail, CancellationToken ct)
    {
        var o = options.Value;
        var message = new MimeMessage { Subject = mail.Subject, MessageId = mail.MessageId };
        message.From.Add(MailboxAddress.Parse(o.From!));
        message.To.Add(new MailboxAddress(mail.ToName, mail.ToAddress));
        message.Body = new TextPart("plain") { Text = mail.Body };

        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(o.Host!, o.Port, Enum.Parse<SecureSocketOptions>(o.Security, ignoreCase: true), ct);
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
