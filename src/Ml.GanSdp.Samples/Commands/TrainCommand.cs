using System.CommandLine;
using Ml.GanSdp.Losses;
using Ml.GanSdp.Models;
using Ml.GanSdp.Pipeline;
using Spectre.Console;

namespace Ml.GanSdp.Samples.Commands;

/// <summary><c>gansdp train</c>: trains a GAN (SDP on by default) and writes a run folder with the model and report.html.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new DatasetOptions();
        var arch = new Option<Architecture>("--architecture", "-a") { Description = "Dcgan | SnganCnn | SnganResNet", DefaultValueFactory = _ => Architecture.Dcgan };
        var loss = new Option<GanLossKind>("--loss") { Description = "NonSaturating | Minimax | LeastSquares | Wasserstein | Hinge", DefaultValueFactory = _ => GanLossKind.NonSaturating };
        var sdp = new Option<bool>("--sdp") { Description = "sample differences penalization on (true) or off (false)", DefaultValueFactory = _ => true };
        var sdpT = new Option<long?>("--sdp-threshold") { Description = "SDP threshold t (default 0.3 x iterations, the paper's 3000 of 10000)" };
        var sdpP = new Option<long?>("--sdp-period") { Description = "SDP period I_p (default 0.5 x iterations)" };
        var sdpK = new Option<int>("--sdp-k") { Description = "initial k", DefaultValueFactory = _ => 5 };
        var sdpL = new Option<double>("--sdp-lambda") { Description = "lambda", DefaultValueFactory = _ => 0.01 };
        var iters = new Option<long>("--iterations", "-n") { Description = "generator iterations", DefaultValueFactory = _ => 2000 };
        var batch = new Option<int>("--batch", "-b") { Description = "batch size", DefaultValueFactory = _ => 64 };
        var width = new Option<int>("--width") { Description = "base width (ngf = ndf)", DefaultValueFactory = _ => 64 };
        var latent = new Option<int>("--latent") { Description = "latent size", DefaultValueFactory = _ => 100 };
        var cond = new Option<bool>("--conditional") { Description = "class-conditional G and D (needs labels)" };
        var ema = new Option<double?>("--ema") { Description = "EMA decay of G (default 0.999; 0 disables)" };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (both nets)", DefaultValueFactory = _ => 2e-4 };
        var seed = new Option<int>("--seed", "-s") { Description = "seed", DefaultValueFactory = _ => 0 };
        var sampleEvery = new Option<long?>("--sample-every") { Description = "iterations between sample grids (default iterations / 10)" };
        var ckptEvery = new Option<long?>("--checkpoint-every") { Description = "iterations between checkpoints (default iterations / 4)" };
        var fd = new Option<bool>("--fd") { Description = "compute the classifier-feature Frechet distance at each sample grid", DefaultValueFactory = _ => true };
        var outDir = new Option<string>("--out", "-o") { Description = "run folder", DefaultValueFactory = _ => "runs/train" };
        var resume = new Option<string?>("--resume") { Description = "continue from a checkpoint file, or 'latest' in the run folder (same options and data; -n is the new total)" };

        var cmd = new Command("train", "Train a GAN (DCGAN + SDP by default) and write a run folder: options.json, metrics.jsonl, samples/, checkpoints/, model.zip, report.html.");
        data.AddTo(cmd);
        foreach (var o in new Option[] { arch, loss, sdp, sdpT, sdpP, sdpK, sdpL, iters, batch, width, latent, cond, ema, lr, seed, sampleEvery, ckptEvery, fd, outDir, resume }) cmd.Options.Add(o);
        cmd.SetAction(p => CommandRunner.Guard(() =>
        {
            var ctx = new GanContext(p.GetValue(seed));
            var view = data.Load(ctx, p, train: true);
            var settings = new TrainSettings
            {
                OutputFolder = p.GetValue(outDir)!,
                Architecture = p.GetValue(arch),
                Loss = p.GetValue(loss),
                Sdp = p.GetValue(sdp),
                SdpThreshold = p.GetValue(sdpT),
                SdpPeriod = p.GetValue(sdpP),
                SdpInitialK = p.GetValue(sdpK),
                SdpLambda = p.GetValue(sdpL),
                Iterations = p.GetValue(iters),
                BatchSize = p.GetValue(batch),
                Width = p.GetValue(width),
                LatentSize = p.GetValue(latent),
                Conditional = p.GetValue(cond),
                EmaDecay = p.GetValue(ema) is { } e ? (e > 0 ? e : null) : 0.999,
                LearningRate = p.GetValue(lr),
                Seed = p.GetValue(seed),
                SampleInterval = p.GetValue(sampleEvery),
                CheckpointInterval = p.GetValue(ckptEvery),
                MaxRows = p.GetValue(data.MaxRows),
                FeatureDistance = p.GetValue(fd),
                Resume = p.GetValue(resume),
            };
            var console = AnsiConsole.Console;
            var r = TrainRun.Run(ctx, view, settings, console);
            using (r.Model)
            {
                console.Write(TrainRun.MetricsTable(r.Metrics, "final metrics"));
                console.MarkupLine($"model:  [green]{Markup.Escape(r.ModelPath)}[/]");
                console.MarkupLine($"report: [green]{Markup.Escape(r.ReportPath)}[/]");
            }
            return 0;
        }));
        return cmd;
    }
}
