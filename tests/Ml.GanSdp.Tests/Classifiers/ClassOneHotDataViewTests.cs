using Microsoft.ML;
using Microsoft.ML.Data;
using Ml.GanSdp.Tests.Augmentation;

namespace Ml.GanSdp.Tests.Classifiers;

/// <summary>
/// The one-hot rows the image CNN fits ML.NET's NaiveBayes on: the fitted scorer maps every e_k to key k exactly (the
/// derivation in <see cref="ImageCnnTrainer"/>), with the label's key type and key values, for several class counts.
/// </summary>
[TestClass]
public sealed class ClassOneHotDataViewTests
{
    [TestMethod]
    [DataRow(2)]
    [DataRow(3)]
    [DataRow(10)]
    [DataRow(57)]
    public void NaiveBayesOnTheOneHotRows_PredictsKeyKForEveryEk_WithTheLabelsKeyValues(int classes)
    {
        var ml = new MLContext(seed: 1);
        var names = Enumerable.Range(0, classes).Select(i => $"class {i}").ToArray();
        var real = RealRows.Create(ml, [1, 1, 1], names, names.Select(n => (new[] { 0f }, n)));
        var view = new ClassOneHotDataView(real.Schema["Label"], "Label", "OneHot");
        Assert.AreEqual((long)classes, view.GetRowCount());
        var model = ml.MulticlassClassification.Trainers.NaiveBayes("Label", "OneHot").Fit(view);
        var scored = model.Transform(view);
        CollectionAssert.AreEqual(Enumerable.Range(1, classes).Select(k => (uint)k).ToArray(), scored.GetColumn<uint>("PredictedLabel").ToArray());
        Assert.AreEqual(real.Schema["Label"].Type, scored.Schema["PredictedLabel"].Type);
        var back = ml.Transforms.Conversion.MapKeyToValue("Name", "PredictedLabel").Fit(scored).Transform(scored).GetColumn<string>("Name").ToArray();
        CollectionAssert.AreEqual(names, back);
        // The margin is 2 log 2 between the predicted class and every other one.
        foreach (var (score, k) in scored.GetColumn<float[]>("Score").Select((s, i) => (s, i)))
        {
            var others = score.Where((_, c) => c != k).ToArray();
            Assert.AreEqual(2 * Math.Log(2), score[k] - others.Max(), 1e-5, $"row {k}");
        }
    }
}
