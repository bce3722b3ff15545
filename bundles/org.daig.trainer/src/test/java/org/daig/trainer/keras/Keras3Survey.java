package org.daig.trainer.keras;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The table of docs/trainer.md ("Keras 3 files"): every file of ../shared/data/keras3 imported,
 * trained one step, exported in its own format and imported again. Run by hand:
 * {@code java -cp target/classes:target/test-classes:target/worker-root/worker/lib/* org.daig.trainer.keras.Keras3Survey DIR}.
 */
public final class Keras3Survey {

    private Keras3Survey() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "../../../shared/data/keras3");
        org.daig.trainer.SameDiffNoise.install();
        Path tmp = Files.createTempDirectory("survey");
        TrainableModel.load(dir.resolve("404error-010__ANN-Churn-Classification__model.h5")); // DL4J's first-use start-up, not counted
        System.out.println("| file | Keras | layers | imported (ms) | trains | round trip |");
        System.out.println("|---|---|---|---|---|---|");
        List<String> lines = Files.readAllLines(dir.resolve("MANIFEST.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            Path file = dir.resolve(f[0]);
            boolean named = !f[11].equals("-") && !f[12].equals("-");
            CompileSettings settings = named ? CompileSettings.FROM_FILE
                    : new CompileSettings(f[11].equals("-") ? "mse" : null, "adam", null);
            String given = named ? "" : " (with " + (f[11].equals("-") ? "--loss mse " : "") + "--optimizer adam)";
            String imported;
            String trains = "-";
            String roundTrip = "-";
            try {
                long start = System.nanoTime();
                TrainableModel model = TrainableModel.load(file, settings);
                imported = String.format(Locale.ROOT, "yes (%.0f)", (System.nanoTime() - start) / 1e6) + given;
                Nd4j.getRandom().setSeed(7);
                long[] shape = Keras3ImportTest.dims(f[7], 4);
                INDArray x = Keras3ImportTest.input(model, shape);
                INDArray y = Keras3ImportTest.targets(model, model.output(x));
                model.fit(new DataSet(x, y));
                trains = Double.isFinite(model.loss(new DataSet(x, y))) ? "yes" : "no (loss not finite)";
                Path out = tmp.resolve(f[0].endsWith(".keras") ? "m.keras" : "m.h5");
                if (f[0].endsWith(".keras")) {
                    Keras3Export.write(model, out);
                } else {
                    KerasExport.write(model, out);
                }
                INDArray again = TrainableModel.load(out, settings).output(x);
                roundTrip = model.output(x).equals(again) ? "exact" : "differs";
            } catch (Exception e) {
                imported = "no: " + e.getMessage();
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |%n", f[0].replace(".keras", "").replace("__", " "), f[5],
                    f[9].replace(",", ", "), imported, trains, roundTrip);
        }
    }
}
