using System.Data;
using Dapper;

namespace IncidentDesk.Storage;

/// <summary>
/// Npgsql reads <c>timestamptz</c> as a UTC <see cref="DateTime"/> and writes only UTC offsets;
/// these handlers let rows and parameters use <see cref="DateTimeOffset"/> throughout.
/// </summary>
internal static class DapperTypeHandlers
{
    private static int registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 1)
            return;
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
        SqlMapper.AddTypeHandler(new JsonLabelsHandler());
    }

    /// <summary>Label maps live in <c>jsonb</c> columns; select them as text (<c>labels::text</c>).</summary>
    private sealed class JsonLabelsHandler : SqlMapper.TypeHandler<Dictionary<string, string>>
    {
        public override Dictionary<string, string> Parse(object value) =>
            System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>((string)value) ?? [];

        public override void SetValue(IDbDataParameter parameter, Dictionary<string, string>? value) =>
            parameter.Value = System.Text.Json.JsonSerializer.Serialize(value ?? []);
    }

    private sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            DateTimeOffset dto => dto,
            _ => throw new DataException($"cannot read {value.GetType().Name} as DateTimeOffset"),
        };

        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value.ToUniversalTime();
    }
}
