using Ml.GanSdp.Samples.Commands;
using Ml.GanSdp.Tests.TestSupport;
using Keys = Ml.GanSdp.GanSdpModelInfo.Keys;

namespace Ml.GanSdp.Tests.Samples;

/// <summary>
/// Models given to generate, augment and classify (#12.5): malformed metadata in a model zip (null class names, wrong JSON
/// types, an absurd latent size, class counts that disagree, a missing field) is one error line naming the file and the
/// field, exit code 1, no stack trace, before anything is generated or written.
/// </summary>
[TestClass]
public sealed class GeneratorModelTests
{
    private static readonly (string Name, (string Key, string? Value)[] Edits, string Field, string Problem)[] Cases =
    [
        ("null class name", [(Keys.ClassCount, "2"), (Keys.ClassNames, "[null, \"a\"]")], Keys.ClassNames, "null or blank name at index 0"),
        ("wrong JSON type", [(Keys.ClassNames, "\"T-shirt/top\"")], Keys.ClassNames, "not valid JSON"),
        ("numbers as names", [(Keys.ClassNames, "[1,2,3,4,5,6,7,8,9,10]")], Keys.ClassNames, "not valid JSON"),
        ("absurd latent size", [(Keys.LatentSize, "2000000000")], Keys.LatentSize, "between 1 and 65536"),
        ("one name for ten classes", [(Keys.ClassNames, "[\"a\"]")], Keys.ClassNames, "holds 1 names but"),
        ("class count against the label key", [(Keys.ClassCount, "3"), (Keys.ClassNames, "[\"a\", \"b\", \"c\"]")], Keys.ClassCount, "10 classes"),
        ("missing field", [(Keys.SeedColumn, null)], Keys.SeedColumn, "is missing"),
        ("image dimensions as an object", [(Keys.ImageDimensions, "{\"C\": 1}")], Keys.ImageDimensions, "not valid JSON"),
    ];

    [TestMethod]
    public void MalformedMetadata_IsOneLineNamingFileAndField_InGenerateAugmentClassifyAndFid()
    {
        using var dir = new TempDir();
        foreach (var (name, edits, field, problem) in Cases)
        {
            var model = dir.File(name.Replace(' ', '-') + ".zip");
            File.Copy(TinyRuns.ConditionalModel, model);
            foreach (var (key, value) in edits) TinyRuns.WithMetadata(model, model, key, value);
            foreach (var command in new[]
            {
                new[] { "generate", model, "-o", dir.File("g.png") },
                ["generate", model, "--files", "-o", dir.File("g")],
                ["augment", model, "--max-rows", "20", "-o", dir.File("aug")],
                ["classify", model, "--max-rows", "50", "--per-class", "1", "--test-rows", "10", "--seeds", "0"],
                ["fid", model, "-n", "10", "--allow-few"],
            })
            {
                var r = Gansdp.Run(command).ExpectOneLineError(ExitCodes.Failure, model, $"'{field}'", problem);
                Assert.IsFalse(r.Err.Contains("NullReference", StringComparison.Ordinal), $"{name}, {command[0]}: {r.Err}");
            }
            Assert.IsFalse(File.Exists(dir.File("g.png")) || Directory.Exists(dir.File("g")) || Directory.Exists(dir.File("aug")), $"{name}: nothing written");
        }
    }

    [TestMethod]
    public void NotAModel_IsNamed()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("text.zip"), "not a zip at all");
        Gansdp.Run(["generate", dir.File("text.zip"), "-o", dir.File("g.png")]).ExpectOneLineError(ExitCodes.Failure, "text.zip");
        var bytes = File.ReadAllBytes(TinyRuns.ConditionalModel);
        File.WriteAllBytes(dir.File("cut.zip"), bytes[..(bytes.Length / 2)]);
        Gansdp.Run(["generate", dir.File("cut.zip"), "-o", dir.File("g.png")]).ExpectOneLineError(ExitCodes.Failure, "cut.zip");
    }
}
