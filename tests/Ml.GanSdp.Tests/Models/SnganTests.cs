using Ml.GanSdp.Models;

namespace Ml.GanSdp.Tests.Models;

[TestClass]
public class SnganTests
{
    private static readonly string[] TrainTrainEval = { "train", "train", "eval" };

    private static ModelOptions Options(Architecture a, int channels = 3, int classes = 0, bool sn = true) => new()
    {
        Architecture = a, LatentSize = 8, Channels = channels, ImageSize = 32, Width = 4, NumClasses = classes, DiscriminatorSpectralNorm = sn,
    };

    [TestMethod]
    public void StateDictKeysMatchThePyTorchTwins() => ModelOracle.AssertKeys(new[]
    {
        ("CNN SN", Options(Architecture.SnganCnn)),
        ("CNN conditional SN", Options(Architecture.SnganCnn, 3, 5)),
        ("ResNet SN", Options(Architecture.SnganResNet)),
        ("ResNet conditional", Options(Architecture.SnganResNet, 3, 5, sn: false)),
    });

    [TestMethod]
    public void CnnModelsMatchPyTorch() => ModelOracle.AssertForwardParity(new ModelOracle.ParityCase[]
    {
        new("CNN D SN", Options(Architecture.SnganCnn), false, TrainTrainEval),
        new("CNN D projection SN", Options(Architecture.SnganCnn, 3, 5), false, TrainTrainEval),
        new("CNN D no SN", Options(Architecture.SnganCnn, sn: false), false, TrainTrainEval),
        new("CNN G", Options(Architecture.SnganCnn), true, TrainTrainEval),
        new("CNN G conditional", Options(Architecture.SnganCnn, 1, 5), true, TrainTrainEval),
    });

    [TestMethod]
    public void ResNetModelsMatchPyTorch() => ModelOracle.AssertForwardParity(new ModelOracle.ParityCase[]
    {
        new("ResNet D SN", Options(Architecture.SnganResNet), false, TrainTrainEval),
        new("ResNet D projection SN", Options(Architecture.SnganResNet, 3, 5), false, TrainTrainEval),
        new("ResNet G", Options(Architecture.SnganResNet, 1), true, TrainTrainEval),
        new("ResNet G conditional", Options(Architecture.SnganResNet, 3, 5), true, TrainTrainEval),
    });
}
