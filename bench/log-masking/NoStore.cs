using System.Reflection;
using Cairn.Core.Runs;

namespace Cairn.Bench.LogMasking;

/// <summary>An <see cref="IRunStore"/> whose every call does nothing, to tell the reporter's own cost from the store's.</summary>
public class NoStore : DispatchProxy
{
    public static IRunStore Create() => Create<IRunStore, NoStore>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
        targetMethod?.ReturnType == typeof(Task) ? Task.CompletedTask : throw new NotSupportedException(targetMethod?.Name);
}
