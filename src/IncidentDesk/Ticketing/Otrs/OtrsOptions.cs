namespace IncidentDesk.Ticketing.Otrs;

/// <summary>
/// OTRS / Znuny through the GenericInterface REST web service (section <c>Ticketing:Otrs</c>);
/// <c>BaseUrl</c> is the web service, e.g. <c>https://otrs.example.com/otrs/nph-genericinterface.pl/Webservice/GenericTicketConnectorREST/</c>.
/// </summary>
public sealed class OtrsOptions : PolledSourceOptions
{
    public const string Section = "Ticketing:Otrs";

    /// <summary>An agent login with read access to the queues to measure.</summary>
    public string User { get; set; } = "";
    public string Password { get; set; } = "";

    /// <summary>The OTRS server's time zone (IANA id): its dates (<c>Created</c>, <c>Changed</c>, search bounds) carry no offset.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Tickets per page (TicketSearch <c>Limit</c>).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Ticket ids per TicketGet call (it takes a comma-separated list).</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>The channel of a ticket nothing maps (OTRS keeps the channel on articles, which are not read): most arrive by e-mail.</summary>
    public string DefaultChannel { get; set; } = Channels.Email;

    internal TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    public override IEnumerable<string> Validate(string section)
    {
        foreach (var problem in base.Validate(section).Concat(Required(section, ("User", User, "an agent login"), ("Password", Password, null))))
            yield return problem;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
            yield return $"{section}:TimeZone: '{TimeZone}' is not a known time zone (IANA id, e.g. Europe/Berlin)";
        if (PageSize is < 1 or > 1000)
            yield return $"{section}:PageSize: must be between 1 and 1000";
        if (BatchSize is < 1 or > 200)
            yield return $"{section}:BatchSize: must be between 1 and 200";
        if (!Channels.IsValid(DefaultChannel))
            yield return $"{section}:DefaultChannel: '{DefaultChannel}' is not a channel";
    }
}
