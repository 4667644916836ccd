using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Npgsql;
using NpgsqlTypes;

namespace Postmaster.Bench.Incidents;

/// <summary>
/// Writes rows with PostgreSQL's binary COPY into the table and columns the app's EF model maps the
/// entity to, through the model's own conversions (enums stored by name), ids as given. A million
/// timeline rows take seconds this way; through SaveChanges they take many minutes.
/// </summary>
internal sealed class BinaryCopy<T>
    where T : class
{
    private readonly string _command;
    private readonly Column[] _columns;

    public BinaryCopy(DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(T))
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the app's model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        _columns = entity.GetProperties().Select(p =>
        {
            if (p.IsShadowProperty())
            {
                throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} is a shadow property: the seeder does not know what to put there.");
            }

            return new Column(p.GetGetter(), p.GetTypeMapping().Converter, p.GetColumnName(table)!);
        }).ToArray();
        TableName = table.Name;
        var name = table.Schema is { } schema ? $"{Quote(schema)}.{Quote(table.Name)}" : Quote(table.Name);
        _command = $"COPY {name} ({string.Join(", ", _columns.Select(c => Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)";
    }

    public string TableName { get; }

    /// <summary>The id column's sequence continues after the highest id written (ids were given, not drawn).</summary>
    public string ResetIdentitySql =>
        $"SELECT setval(pg_get_serial_sequence('{Quote(TableName)}', 'Id'), (SELECT coalesce(max(\"Id\"), 0) + 1 FROM {Quote(TableName)}), false)";

    public ulong Write(NpgsqlConnection connection, IEnumerable<T> rows)
    {
        using var writer = connection.BeginBinaryImport(_command);
        foreach (var row in rows)
        {
            writer.StartRow();
            foreach (var column in _columns)
            {
                var value = column.Getter.GetClrValue(row);
                if (value is not null && column.Converter is { } converter)
                {
                    value = converter.ConvertToProvider(value);
                }

                WriteValue(writer, value, column.Name);
            }
        }

        return writer.Complete();
    }

    private static void WriteValue(NpgsqlBinaryImporter writer, object? value, string column)
    {
        switch (value)
        {
            case null:
                writer.WriteNull();
                break;
            case string s:
                writer.Write(s, NpgsqlDbType.Text); // text and varchar have the same binary form
                break;
            case long l:
                writer.Write(l, NpgsqlDbType.Bigint);
                break;
            case int i:
                writer.Write(i, NpgsqlDbType.Integer);
                break;
            case bool b:
                writer.Write(b, NpgsqlDbType.Boolean);
                break;
            case DateTimeOffset t:
                writer.Write(t.ToUniversalTime(), NpgsqlDbType.TimestampTz); // Npgsql takes only UTC offsets for timestamptz
                break;
            case double d:
                writer.Write(d, NpgsqlDbType.Double);
                break;
            default:
                throw new InvalidOperationException($"{typeof(T).Name} column {column}: no COPY mapping for {value.GetType().Name}; add one to BinaryCopy.");
        }
    }

    private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private sealed record Column(IClrPropertyGetter Getter, ValueConverter? Converter, string Name);
}
