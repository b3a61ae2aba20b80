// gansdp: train GANs with SDP, generate, fid, augment, classify, report, demo. One file per command under Commands/.
return Ml.GanSdp.Samples.Commands.Cli.Run(args);
