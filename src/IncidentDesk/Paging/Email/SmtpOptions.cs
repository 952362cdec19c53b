using IncidentDesk.Configuration;

namespace IncidentDesk.Paging.Email;

/// <summary>The outgoing mail server (section <c>Smtp</c>). Without <see cref="Host"/> e-mail paging is off.</summary>
public sealed class SmtpOptions : IValidatedOptions
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 587;
    public string User { get; set; } = "";
    public string Password { get; set; } = "";
    public string From { get; set; } = "IncidentDesk <incidentdesk@localhost>";

    /// <summary><c>None</c>, <c>StartTls</c>, <c>SslOnConnect</c> or <c>Auto</c> (MailKit's SecureSocketOptions).</summary>
    public string Security { get; set; } = "Auto";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    public bool Enabled => Host.Length > 0;

    public IEnumerable<string> Validate(string section)
    {
        if (Port is < 1 or > 65535)
            yield return $"{section}:Port: must be between 1 and 65535";
        if (!MimeKit.MailboxAddress.TryParse(From, out _))
            yield return $"{section}:From: '{From}' is not a mailbox (e.g. IncidentDesk <pager@example.com>)";
        if (!Enum.TryParse<MailKit.Security.SecureSocketOptions>(Security, ignoreCase: true, out _))
            yield return $"{section}:Security: must be None, StartTls, SslOnConnect or Auto";
        if (Timeout <= TimeSpan.Zero)
            yield return $"{section}:Timeout: must be positive";
    }
}
