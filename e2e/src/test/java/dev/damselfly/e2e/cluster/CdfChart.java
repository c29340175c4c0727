package dev.damselfly.e2e.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws a scenario's node completion times as an empirical CDF (a step line) with T* as a vertical line, as PNG. */
final class CdfChart {
    /** Chart size: 640 × 360 px (keeps the committed PNGs small). */
    static final int WIDTH = 640;
    static final int HEIGHT = 360;

    private CdfChart() {
    }

    /**
     * Writes {@code png} with one CDF per series (label → node times in seconds) and no bound line, e.g. S5's
     * lazily mounted image against the pulled and unpacked one; {@code xAxis} names the times.
     */
    static void writeSeries(Path png, String title, String xAxis, Map<String, List<Double>> series) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xAxis).yAxisTitle("share of nodes done").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setXAxisMin(0.0);
        double max = 1;
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            List<Double> sorted = new ArrayList<>(e.getValue());
            java.util.Collections.sort(sorted);
            List<Double> xs = new ArrayList<>(List.of(0.0));
            List<Double> ys = new ArrayList<>(List.of(0.0));
            for (int i = 0; i < sorted.size(); i++) {
                xs.add(sorted.get(i));
                ys.add((double) i / sorted.size());
                xs.add(sorted.get(i));
                ys.add((double) (i + 1) / sorted.size());
                max = Math.max(max, sorted.get(i));
            }
            chart.addSeries(e.getKey(), xs, ys).setMarker(SeriesMarkers.NONE);
        }
        chart.getStyler().setXAxisMax(max * 1.1);
        Files.createDirectories(png.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Writes {@code png} (parent folders created). */
    static void write(Path png, ScenarioResult r) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(r.title() + " — " + r.config().nodes() + " nodes, " + r.config().imageBytes() / ScenarioConfig.MIB + " MiB")
                .xAxisTitle("completion time (s)").yAxisTitle("share of nodes done").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        chart.getStyler().setXAxisMin(0.0);
        List<Double> sorted = r.sorted();
        List<Double> xs = new ArrayList<>(List.of(0.0));
        List<Double> ys = new ArrayList<>(List.of(0.0));
        for (int i = 0; i < sorted.size(); i++) {
            xs.add(sorted.get(i));
            ys.add((double) i / sorted.size());
            xs.add(sorted.get(i));
            ys.add((double) (i + 1) / sorted.size());
        }
        XYSeries cdf = chart.addSeries("nodes done", xs, ys);
        cdf.setMarker(SeriesMarkers.NONE);
        double bound = r.lowerBound();
        XYSeries t = chart.addSeries(String.format("T* = %.1f s", bound), List.of(bound, bound), List.of(0.0, 1.0));
        t.setMarker(SeriesMarkers.NONE);
        chart.getStyler().setXAxisMax(Math.max(bound, sorted.isEmpty() ? bound : sorted.get(sorted.size() - 1)) * 1.1);
        Files.createDirectories(png.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
