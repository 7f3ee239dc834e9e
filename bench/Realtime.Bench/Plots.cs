using ScottPlot;

namespace Realtime.Bench;

/// <summary>One PNG: latency over time (sampled deliveries) above the latency distribution by percentile.</summary>
internal static class Plots
{
    private static readonly double[] Percentiles = [50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100];

    public static void Save(string path, Measurements realtime, Measurements baseline)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);

        var overTime = multiplot.GetPlot(0);
        foreach (var (run, color) in new[] { (realtime, Colors.Blue), (baseline, Colors.Gray) })
        {
            var samples = run.Samples.OrderBy(s => s.Second).ToArray();
            if (samples.Length == 0)
            {
                continue;
            }

            var start = samples[0].Second;
            var markers = overTime.Add.Markers(samples.Select(s => s.Second - start).ToArray(), samples.Select(s => s.Milliseconds).ToArray(), MarkerShape.FilledCircle, 2, color);
            markers.LegendText = run.Name;
        }

        overTime.Title("End-to-end latency over time (every 16th delivery)");
        overTime.XLabel("seconds into the run");
        overTime.YLabel("ms");
        overTime.ShowLegend();

        var distribution = multiplot.GetPlot(1);
        var positions = Enumerable.Range(0, Percentiles.Length).Select(i => (double)i).ToArray();
        foreach (var (run, color) in new[] { (realtime, Colors.Blue), (baseline, Colors.Gray) })
        {
            var line = distribution.Add.Scatter(positions, Percentiles.Select(run.LatencyMs).ToArray(), color);
            line.LegendText = run.Name;
        }

        distribution.Axes.Bottom.SetTicks(positions, Percentiles.Select(p => p >= 100 ? "max" : $"p{p}").ToArray());
        distribution.Title("Latency by percentile");
        distribution.YLabel("ms");
        distribution.ShowLegend();

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        multiplot.SavePng(path, 1000, 900);
    }
}
