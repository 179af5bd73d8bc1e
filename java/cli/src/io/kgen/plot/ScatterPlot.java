package io.kgen.plot;

import io.kgen.FloatMatrix;
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

/**
 * Scatter plots of points (two chosen coordinates; the title names them when there are more),
 * layers drawn in order: e.g. the data in grey, then the samples in colour.
 */
public final class ScatterPlot {
    private static final Color[] PALETTE = {new Color(150, 150, 150, 120), new Color(214, 39, 40, 170),
        new Color(31, 119, 180, 170), new Color(44, 160, 44, 170)};

    private final String title;
    private final List<String> names = new ArrayList<>();
    private final List<FloatMatrix> layers = new ArrayList<>();
    private int xAxis = 0, yAxis = 1;

    public ScatterPlot(String title) {
        this.title = title;
    }

    /** The two coordinates drawn (0 and 1 unless set): for the 3-d Swiss roll, 0 and 2 show the roll. */
    public ScatterPlot axes(int x, int y) {
        if (x < 0 || y < 0 || x == y) throw new IllegalArgumentException("axes must be two different coordinates >= 0, got "
                + x + " and " + y);
        xAxis = x;
        yAxis = y;
        return this;
    }

    /** Adds a layer of points (rows; the first two columns are plotted). */
    public ScatterPlot layer(String name, FloatMatrix points) {
        if (points == null || points.rows() == 0) throw new IllegalArgumentException(name + " has no points");
        if (points.cols() < 2) {
            throw new IllegalArgumentException(name + " has " + points.cols() + " column(s): a scatter plot needs 2 or more");
        }
        names.add(name);
        layers.add(points);
        return this;
    }

    public void writePng(Path file, int width, int height) throws IOException {
        if (layers.isEmpty()) throw new IllegalStateException("no layers to plot");
        int d = layers.get(0).cols();
        if (Math.max(xAxis, yAxis) >= d) {
            throw new IllegalArgumentException("axes " + xAxis + " and " + yAxis + " need " + (Math.max(xAxis, yAxis) + 1)
                    + " columns, the points have " + d);
        }
        // With more than two coordinates the title says which two are shown.
        String shown = d > 2 ? title + " (x" + xAxis + " vs x" + yAxis + " of " + d + " coordinates)" : title;
        XYChart chart = new XYChartBuilder().width(width).height(height).title(shown).xAxisTitle("x" + xAxis)
                .yAxisTitle("x" + yAxis).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(3);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(false);
        for (int l = 0; l < layers.size(); l++) {
            FloatMatrix p = layers.get(l);
            double[] x = new double[(int) p.rows()];
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = p.get(i, xAxis);
                y[i] = p.get(i, yAxis);
            }
            XYSeries series = chart.addSeries(names.get(l), x, y);
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setMarkerColor(PALETTE[l % PALETTE.length]);
        }
        Pictures.write(file, BitmapEncoder.getBufferedImage(chart));
    }
}
