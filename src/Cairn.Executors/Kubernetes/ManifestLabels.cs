using System.Globalization;
using System.Text;
using Cairn.Core.Execution;

namespace Cairn.Executors.Kubernetes;

/// <summary>The labels a job's pod and Secret carry: whose run, job and lease they are, which worker made them.</summary>
internal static class ManifestLabels
{
    public const string Run = "cairn.run";
    public const string Job = "cairn.job";
    public const string Lease = "cairn.lease";
    public const string Owner = "cairn.owner";
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    public static Dictionary<string, string> For(JobSpec job, PodIdentity identity)
    {
        var labels = new Dictionary<string, string>(job.Labels, StringComparer.Ordinal);
        if (job.LeaseId is { } lease)
        {
            labels[Lease] = lease.ToString("N", CultureInfo.InvariantCulture);
        }

        labels[Owner] = LabelValue(identity.Owner);
        labels[ManagedBy] = "cairn";
        return labels;
    }

    /// <summary>Any text as a valid label value: at most 63 of letters, digits, '-', '_' and '.', starting and ending
    /// with a letter or digit (other characters become '-'); empty stays empty.</summary>
    public static string LabelValue(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = new StringBuilder(Math.Min(text.Length, 63));
        foreach (var c in text)
        {
            value.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-');
            if (value.Length == 63)
            {
                break;
            }
        }

        return value.ToString().Trim('-', '_', '.');
    }
}
