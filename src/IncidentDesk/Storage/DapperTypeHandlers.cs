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
