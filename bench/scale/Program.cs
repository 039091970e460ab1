using Cairn.Bench.Scale;

// Usage: scale-bench webhooks --servers URL[,URL] --data DIR [--pids PID[,PID]] [--runs 100] [--repos 10] [--jobs 10] [--within-ms 1000] [--warm-up 0] [--out DIR]
//        scale-bench seed (--sqlite FILE | --postgres CONNECTION) --seed-file FILE [--runs 100000] [--lines 10000000] [--repos 100]
//        scale-bench pages --server URL [--pid PID] --data DIR (--sqlite FILE | --postgres CONNECTION) --seed-file FILE [--requests 200]
//        scale-bench fresh-database --postgres CONNECTION   (drops and creates the database it names)
//        scale-bench followers --server URL --data DIR [--pid PID] [--followers 1000] [--lines 400] [--interval-ms 50] [--out DIR]
// Each part drives a running `cairn server` (or two) started by run.sh; see README.md.
var arguments = new Arguments(args);
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

return args.FirstOrDefault() switch
{
    "webhooks" => await WebhookBurst.RunAsync(arguments, cancel.Token),
    "seed" => await HistorySeed.RunAsync(arguments, cancel.Token),
    "pages" => await PageTimings.RunAsync(arguments, cancel.Token),
    "followers" => await FollowerCrowd.RunAsync(arguments, cancel.Token),
    "fresh-database" => await FreshDatabase.RunAsync(arguments, cancel.Token),
    _ => throw new ArgumentException("webhooks, seed, pages, followers or fresh-database"),
};
