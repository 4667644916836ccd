using System.Globalization;
using Postmaster.Bench.Logs;

// LogBench generate <file> <lines> <seed> <templates/providers>
// LogBench measure <file> <templates> <read|parse|ingest|classify-all>
return args switch
{
    ["generate", var file, var lines, var seed, var providers] =>
        PostfixLogGenerator.Write(file, long.Parse(lines, CultureInfo.InvariantCulture), int.Parse(seed, CultureInfo.InvariantCulture), providers),
    ["measure", var file, var templates, var mode] => await ClassificationRun.RunAsync(file, templates, mode),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: LogBench generate <file> <lines> <seed> <templates/providers>");
    Console.Error.WriteLine("       LogBench measure <file> <templates> <read|parse|ingest|classify-all>");
    return 2;
}
