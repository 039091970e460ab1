using System.Data.Common;

namespace Cairn.Storage.Portable;

/// <summary>Binds parameters by name on a command of either dialect; a null value binds as SQL NULL.</summary>
internal static class CommandParameters
{
    public static TCommand Bind<TCommand>(this TCommand command, string name, object? value)
        where TCommand : DbCommand
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }
}
