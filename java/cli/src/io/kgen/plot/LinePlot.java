package io.kgen.plot;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG line plots of named series (x, y), optionally on log axes: for metric-versus-size curves. */
public final class LinePlot {
    private final String title;
    private final String xLabel;
    private final String yLabel;
    private boolean logX;
    private boolean logY;
    private final List<String> names = new ArrayList<>();
    private final List<double[][]> series = new ArrayList<>();

    public LinePlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public LinePlot logAxes(boolean x, boolean y) {
        logX = x;
        logY = y;
        return this;
    }

    public LinePlot series(String name, double[] x, double[] y) {
        if (x.length != y.length || x.length == 0) throw new IllegalArgumentException(name + ": x and y must be non-empty and equal in length");
        names.add(name);
        series.add(new double[][] {x.clone(), y.clone()});
        return this;
    }

    private boolean allPositive(int axis) {
        for (double[][] xy : series) {
            for (double v : xy[axis]) if (!(v > 0)) return false;
        }
        return true;
    }

    /** Whether an axis is drawn on a log scale: asked for, and every value on it positive. */
    private boolean drawnLog(int axis) {
        return (axis == 0 ? logX : logY) && allPositive(axis);
    }

    /** The title an axis gets when drawn: its label, and why it is linear if a log axis could not be. */
    String axisTitle(int axis) {
        String label = axis == 0 ? xLabel : yLabel;
        return (axis == 0 ? logX : logY) && !drawnLog(axis) ? label + " (linear: some values <= 0)" : label;
    }

    public void writePng(Path file, int width, int height) throws IOException {
        if (series.isEmpty()) throw new IllegalStateException("no series to plot");
        // A log axis cannot show a value <= 0 (XChart would draw it at its floor, as if tiny and
        // positive): such an axis stays linear, and its title says why.
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(axisTitle(0))
                .yAxisTitle(axisTitle(1)).build();
        chart.getStyler().setXAxisLogarithmic(drawnLog(0));
        chart.getStyler().setYAxisLogarithmic(drawnLog(1));
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        for (int s = 0; s < series.size(); s++) {
            XYSeries line = chart.addSeries(names.get(s), series.get(s)[0], series.get(s)[1]);
            line.setMarker(SeriesMarkers.CIRCLE);
        }
        Pictures.write(file, BitmapEncoder.getBufferedImage(chart));
    }
}
