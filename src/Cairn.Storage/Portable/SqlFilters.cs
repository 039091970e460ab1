using System.Data.Common;

namespace Cairn.Storage.Portable;

/// <summary>The conditions of a listing's WHERE clause and their parameters, gathered as the filters that are set are
/// read: a parameter that may be NULL has no type PostgreSQL can infer, so only the filters that are set go into the
/// statement.</summary>
internal sealed class SqlFilters
{
    private readonly List<string> conditions = [];
    private readonly List<Action<DbCommand>> binds = [];

    /// <summary><c>WHERE …</c> joining every condition with AND, or nothing when there is none.</summary>
    public string Where => conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);

    public void Add(string condition, string parameter, object value)
    {
        conditions.Add(condition);
        binds.Add(command => command.Bind(parameter, value));
    }

    /// <summary><paramref name="column"/> is one of <paramref name="values"/>; none at all matches no row.</summary>
    public void AddIn(string column, IEnumerable<string> values)
    {
        var named = values.Select((value, i) => (Value: value, Parameter: $"@in{conditions.Count}_{i}")).ToList();
        conditions.Add(named.Count == 0 ? "1 = 0" : $"{column} IN ({string.Join(", ", named.Select(n => n.Parameter))})");
        binds.AddRange(named.Select(n => (Action<DbCommand>)(command => command.Bind(n.Parameter, n.Value))));
    }

    public void BindTo(DbCommand command)
    {
        foreach (var bind in binds)
        {
            bind(command);
        }
    }
}
