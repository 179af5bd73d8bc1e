package io.kgen.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kgen.FloatMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Axes that show what is there: no log axis for values <= 0, the chosen coordinates of a scatter. */
class PlotAxesTest {
    @TempDir
    Path dir;

    @Test
    void aLogAxisWithValuesAtOrBelowZeroStaysLinearAndSaysSo() throws Exception {
        LinePlot plot = new LinePlot("energy", "N", "energy distance").logAxes(true, true)
                .series("a", new double[] {10, 100}, new double[] {3e-3, -5.8e-4});
        assertEquals("N", plot.axisTitle(0));
        assertEquals("energy distance (linear: some values <= 0)", plot.axisTitle(1));
        plot.writePng(dir.resolve("e.png"), 300, 200);
        assertTrue(Files.size(dir.resolve("e.png")) > 500);
        LinePlot positive = new LinePlot("kl", "N", "KL").logAxes(true, true)
                .series("a", new double[] {10, 100}, new double[] {3e-3, 5.8e-4});
        assertEquals("KL", positive.axisTitle(1));
    }

    @Test
    void scatterAxesMustExistInThePoints() throws Exception {
        FloatMatrix three = FloatMatrix.of(new float[][] {{0, 1, 2}, {3, 4, 5}});
        new ScatterPlot("roll").axes(0, 2).layer("data", three).writePng(dir.resolve("s.png"), 300, 200);
        assertTrue(Files.size(dir.resolve("s.png")) > 500);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ScatterPlot("roll").axes(0, 3).layer("data", three).writePng(dir.resolve("t.png"), 300, 200));
        assertEquals("axes 0 and 3 need 4 columns, the points have 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ScatterPlot("x").axes(1, 1));
    }
}
