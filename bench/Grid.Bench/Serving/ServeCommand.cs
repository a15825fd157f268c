namespace Grid.Bench.Serving;

/// <summary>The <c>serve</c> command: runs the chosen workload at each rate on the chosen backend, then the backend's reference checks.</summary>
public static class ServeCommand
{
    public static int Run(string[] args)
    {
        ServeOptions options;
        try
        {
            options = ServeOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(ServeOptions.Usage);
            return 2;
        }

        using var target = CreateTarget(options);
        Console.WriteLine(target.Description);
        var slo = new Slo(options.SloTtftMs ?? target.DefaultSlo.TtftMs, options.SloTpotMs ?? target.DefaultSlo.TpotMs);
        var workload = options.Trace is null ? options.Workload : "trace";
        var results = new ServeResults(options.Backend, target.Description, workload, options.Seed);
        var count = options.Requests ?? target.DefaultRequests(workload);
        var rates = options.Rates ?? target.DefaultRates(workload);

        Console.WriteLine();
        Console.WriteLine(workload switch
        {
            "trace" => $"== trace {options.Trace}",
            "shared-prefix" => $"== shared-prefix: {count} requests per run, {SharedPrefixWorkload.PrefixLength(options.PrefixTokens, target.ContextLength)}-token system prompt"
                + $" + {SharedPrefixWorkload.MinQuestion}-{SharedPrefixWorkload.MaxQuestion} question tokens, {SharedPrefixWorkload.MinOutput}-{SharedPrefixWorkload.MaxOutput} output tokens, seed {options.Seed}",
            _ => $"== sharegpt: {count} requests per rate, lognormal prompt (median {ShareGptWorkload.Prompt.Median}, sigma {ShareGptWorkload.Prompt.Sigma})"
                + $" and output (median {ShareGptWorkload.Output.Median}, sigma {ShareGptWorkload.Output.Sigma}) lengths, seed {options.Seed}",
        });
        ServeReport.PrintSlo(slo);
        ServeReport.PrintHeader();

        if (workload == "trace")
        {
            var requests = TraceWorkload.Read(options.Trace!, target.ContextLength, target.VocabSize, options.Seed);
            Serve(target, results, "trace", double.NaN, requests, prefixCaching: true, slo);
        }
        else if (workload == "shared-prefix")
        {
            foreach (var rate in rates)
            {
                var requests = SharedPrefixWorkload.Create(count, rate, target.ContextLength, target.VocabSize, options.Seed, options.PrefixTokens);
                var on = Serve(target, results, $"{ServeOptions.RateLabel(rate)} cache on", rate, requests, prefixCaching: true, slo);
                var off = Serve(target, results, $"{ServeOptions.RateLabel(rate)} cache off", rate, requests, prefixCaching: false, slo);
                var ratio = on.TtftMs[0] / off.TtftMs[0];
                results.Checks[$"prefixTtftP50Ratio@{ServeOptions.RateLabel(rate)}"] = ratio;
                Console.WriteLine($"   rate {ServeOptions.RateLabel(rate)}: TTFT p50 with the prefix cache / without = {on.TtftMs[0]:F1} / {off.TtftMs[0]:F1} ms = {ratio:F3};"
                    + $" throughput {on.TotalTokensPerSecond:F0} / {off.TotalTokensPerSecond:F0} tok/s");
            }
        }
        else
        {
            foreach (var rate in rates)
            {
                var requests = ShareGptWorkload.Create(count, rate, target.ContextLength, target.VocabSize, options.Seed);
                Serve(target, results, ServeOptions.RateLabel(rate), rate, requests, prefixCaching: true, slo);
            }
        }

        if (options.Checks) RunChecks(target, options, slo, results);
        if (options.Out is { } path) ServeReport.WriteJson(path, results);
        return 0;
    }

    static ServeSummary Serve(IServeTarget target, ServeResults results, string name, double rate, IReadOnlyList<WorkloadRequest> requests, bool prefixCaching, Slo slo)
    {
        var (engine, clock) = target.CreateEngine(prefixCaching);
        var run = ServeDriver.Run(engine, clock, requests);
        var summary = ServeSummary.From(name, rate, run, slo);
        ServeReport.PrintRow(summary);
        results.Runs.Add(summary);
        return summary;
    }

    static IServeTarget CreateTarget(ServeOptions options) => options.Backend switch
    {
        "sim" => new SimServeTarget(options),
        _ => new CpuServeTarget(options),
    };

    static void RunChecks(IServeTarget target, ServeOptions options, Slo slo, ServeResults results)
    {
        if (target is SimServeTarget sim)
        {
            Console.WriteLine();
            SimChecks.Decode(sim, options.SimDecodeTokens, results);
            SimChecks.LongRun(sim, options, slo, results);
            return;
        }
        if (target is not CpuServeTarget cpu || results.Runs.Count == 0) return;
        Console.WriteLine();
        var decode = CpuDecodeReference.Measure(cpu, options.DecodeTokens, options.Seed);
        // A trace's NaN rate sorts lowest, so a trace run is compared as it is.
        var top = results.Runs.MaxBy(r => r.Rate)!;
        var ratio = top.OutputTokensPerSecond / decode;
        results.Checks["decode32TokensPerSecond"] = decode;
        results.Checks["servingOverDecode32"] = ratio;
        Console.WriteLine($"serving at {top.Name}: {top.OutputTokensPerSecond:F1} output tok/s; batch-{CpuDecodeReference.Sequences} decode through EngineCore"
            + $" ({options.DecodeTokens} steps): {decode:F1} tok/s; ratio {ratio:F2}");
    }
}
