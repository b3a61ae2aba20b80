using Ml.GanSdp;
using static Ml.GanSdp.torch;

// gansdp: the command-line tool. Until the training core lands, 'demo' trains a small MLP GAN on a 2-D
// ring of 8 Gaussians through the libtorch binding and prints its losses.
if (args.Length == 0 || args[0] != "demo")
{
    Console.Error.WriteLine("usage: gansdp demo");
    return 2;
}

manual_seed(0);
using var g = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2));
using var d = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1));
using var optG = optim.Adam(g.parameters(), 1e-3, 0.5, 0.999);
using var optD = optim.Adam(d.parameters(), 1e-3, 0.5, 0.999);
const int batch = 256;
for (int it = 1; it <= 1000; it++)
{
    using var scope = NewDisposeScope();
    var angle = randint(0, 8, new long[] { batch }).to(ScalarType.Float32) * (2 * Math.PI / 8);
    var real = stack(new[] { angle.cos(), angle.sin() }, 1) * 2 + randn(batch, 2) * 0.02;
    var fake = g.forward(randn(batch, 2));
    optD.zero_grad();
    var dReal = d.forward(real);
    var dFake = d.forward(fake.detach());
    var lossD = nn.functional.softplus(-dReal).mean() + nn.functional.softplus(dFake).mean();
    lossD.backward();
    optD.step();
    optG.zero_grad();
    var lossG = nn.functional.softplus(-d.forward(fake)).mean();
    lossG.backward();
    optG.step();
    if (it % 200 == 0) Console.WriteLine($"iter {it,5}  loss_D {lossD.item<float>():F4}  loss_G {lossG.item<float>():F4}  live tensors {LiveTensorCount}");
}
return 0;
