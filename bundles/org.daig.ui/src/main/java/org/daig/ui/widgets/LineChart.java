package org.daig.ui.widgets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.Device;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.graphics.FontData;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.graphics.Region;
import org.eclipse.swt.graphics.Transform;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;

/**
 * A calm line chart for per-round training metrics: x is the round number, y a metric such as
 * loss or accuracy. Series are keyed by name so a view can simply push the whole history again
 * after every round; NaN values are gaps (a round that reported nothing), not errors.
 *
 * <p>Colours for text, axes and grid are blended from the control's foreground and background
 * (the list colours of the platform by default), so the chart follows light and dark themes;
 * only the series colours are the caller's.
 */
public class LineChart extends Canvas {

    private static final int MARGIN = 8;
    private static final int LINE_WIDTH = 2;
    private static final int DOT_DIAMETER = 6;
    private static final int SWATCH_SIZE = 10;
    /** Keeps the first and last round's dots off the y axis. */
    private static final int X_INSET = 8;
    private static final int TARGET_Y_TICKS = 5;
    private static final double AUTO_RANGE_PADDING = 0.05;
    /** Below this spacing between rounds, dots would merge into a thick smudge. */
    private static final int MIN_PIXELS_PER_POINT_FOR_DOTS = 8;
    private static final int PREFERRED_WIDTH = 500;
    private static final int PREFERRED_HEIGHT = 250;

    private final Map<String, Series> seriesByName = new LinkedHashMap<>();
    private String title = "";
    private String xAxisLabel = "";
    private String yAxisLabel = "";
    private String emptyMessage = "";
    /** Both NaN while the y range follows the data. */
    private double fixedYMin = Double.NaN;
    private double fixedYMax = Double.NaN;

    /** Derived from the control font; rebuilt when that font changes. */
    private Font titleFont;
    private Font titleFontSource;

    /** Where the last paint put the plot (null when nothing was plotted); for tests. */
    private Rectangle lastPlotArea;

    public LineChart(Composite parent, int style) {
        // Double buffering: the chart is repainted as a whole on every update and must not flicker.
        super(parent, style | SWT.DOUBLE_BUFFERED);
        setBackground(getDisplay().getSystemColor(SWT.COLOR_LIST_BACKGROUND));
        setForeground(getDisplay().getSystemColor(SWT.COLOR_LIST_FOREGROUND));
        addPaintListener(event -> paint(event.gc));
        addDisposeListener(event -> disposeTitleFont());
    }

    public void setTitle(String title) {
        checkWidget();
        this.title = nullToEmpty(title);
        redraw();
    }

    public void setAxisLabels(String x, String y) {
        checkWidget();
        this.xAxisLabel = nullToEmpty(x);
        this.yAxisLabel = nullToEmpty(y);
        redraw();
    }

    /**
     * Adds the series, or replaces the one with the same name (keeping its place in the legend).
     * The arrays are copied; NaN or infinite values (in either array) leave a gap in the line.
     */
    public void setSeries(String name, double[] xs, double[] ys, RGB color) {
        checkWidget();
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(xs, "xs");
        Objects.requireNonNull(ys, "ys");
        Objects.requireNonNull(color, "color");
        if (xs.length != ys.length) {
            throw new IllegalArgumentException(
                    "xs and ys differ in length: " + xs.length + " != " + ys.length);
        }
        seriesByName.put(name, new Series(name, xs.clone(), ys.clone(), color));
        redraw();
    }

    public void clearSeries() {
        checkWidget();
        seriesByName.clear();
        redraw();
    }

    /** Fixes the y axis, e.g. 0..1 for accuracy, so rounds do not rescale the picture. */
    public void setYRange(double min, double max) {
        checkWidget();
        if (!Double.isFinite(min) || !Double.isFinite(max) || min >= max) {
            throw new IllegalArgumentException("need finite min < max, got " + min + ".." + max);
        }
        fixedYMin = min;
        fixedYMax = max;
        redraw();
    }

    /** Lets the y axis follow the data again (the default), with 5 % room above and below. */
    public void setAutoYRange() {
        checkWidget();
        fixedYMin = Double.NaN;
        fixedYMax = Double.NaN;
        redraw();
    }

    /** Text shown in the middle while there is no point to plot, e.g. "No rounds yet". */
    public void setEmptyMessage(String message) {
        checkWidget();
        this.emptyMessage = nullToEmpty(message);
        redraw();
    }

    @Override
    public void setFont(Font font) {
        super.setFont(font);
        redraw();
    }

    @Override
    public Point computeSize(int wHint, int hHint, boolean changed) {
        checkWidget();
        // A chart has no natural size; ask for one at which it stays readable.
        int width = wHint == SWT.DEFAULT ? PREFERRED_WIDTH : wHint;
        int height = hHint == SWT.DEFAULT ? PREFERRED_HEIGHT : hHint;
        Rectangle trim = computeTrim(0, 0, width, height);
        return new Point(trim.width, trim.height);
    }

    /** The plot rectangle of the last paint, or null if the last paint showed no plot. */
    Rectangle lastPlotArea() {
        return lastPlotArea == null ? null : new Rectangle(
                lastPlotArea.x, lastPlotArea.y, lastPlotArea.width, lastPlotArea.height);
    }

    // ---------------------------------------------------------------- painting

    private void paint(GC gc) {
        Rectangle area = getClientArea();
        List<Color> colorsToDispose = new ArrayList<>();
        try {
            Palette palette = new Palette(gc.getDevice(), getForeground(), getBackground(),
                    colorsToDispose);
            gc.setBackground(palette.background);
            gc.fillRectangle(area);
            gc.setTextAntialias(SWT.ON);
            gc.setFont(getFont());
            lastPlotArea = null;

            List<Series> plotted = new ArrayList<>();
            for (Series series : seriesByName.values()) {
                if (series.hasPoints()) {
                    plotted.add(series);
                }
            }
            int headerBottom = paintHeader(gc, area, plotted, palette);
            if (plotted.isEmpty()) {
                paintEmptyMessage(gc, new Rectangle(area.x, headerBottom, area.width,
                        area.y + area.height - headerBottom), palette);
                return;
            }
            paintPlot(gc, area, headerBottom, plotted, palette);
        } finally {
            colorsToDispose.forEach(Color::dispose);
        }
    }

    /** Title at the left, legend at the right (wrapping below the title if too wide); returns its bottom. */
    private int paintHeader(GC gc, Rectangle area, List<Series> plotted, Palette palette) {
        int fontHeight = gc.getFontMetrics().getHeight();
        int top = area.y + MARGIN;
        int titleHeight = 0;
        int titleWidth = 0;
        if (!title.isEmpty()) {
            gc.setFont(titleFont());
            Point extent = gc.stringExtent(title);
            gc.setForeground(palette.text);
            gc.drawString(title, area.x + MARGIN, top, true);
            gc.setFont(getFont());
            titleHeight = extent.y;
            titleWidth = extent.x;
        }

        List<LegendEntry> entries = new ArrayList<>();
        int legendWidth = 0;
        for (Series series : plotted) {
            LegendEntry entry = new LegendEntry(gc, series);
            entries.add(entry);
            legendWidth += entry.width + (entries.size() > 1 ? LegendEntry.GAP : 0);
        }
        if (entries.isEmpty()) {
            return titleHeight == 0 ? top : top + titleHeight + MARGIN;
        }

        int right = area.x + area.width - MARGIN;
        int available = area.width - 2 * MARGIN;
        boolean besideTitle = titleWidth == 0
                || titleWidth + 3 * LegendEntry.GAP + legendWidth <= available;
        int rowTop = besideTitle ? top + Math.max(0, (titleHeight - fontHeight) / 2)
                : top + titleHeight + MARGIN / 2;

        // Lay entries out right-aligned in as many rows as the width requires.
        List<List<LegendEntry>> rows = new ArrayList<>();
        List<LegendEntry> row = new ArrayList<>();
        int rowWidth = 0;
        for (LegendEntry entry : entries) {
            int needed = entry.width + (row.isEmpty() ? 0 : LegendEntry.GAP);
            if (!row.isEmpty() && rowWidth + needed > available) {
                rows.add(row);
                row = new ArrayList<>();
                rowWidth = 0;
                needed = entry.width;
            }
            row.add(entry);
            rowWidth += needed;
        }
        rows.add(row);
        for (List<LegendEntry> line : rows) {
            int width = line.stream().mapToInt(e -> e.width).sum()
                    + LegendEntry.GAP * (line.size() - 1);
            int x = right - width;
            for (LegendEntry entry : line) {
                entry.paint(gc, x, rowTop, fontHeight, palette);
                x += entry.width + LegendEntry.GAP;
            }
            rowTop += fontHeight + 2;
        }
        int legendBottom = rowTop - 2;
        int titleBottom = top + titleHeight;
        return Math.max(legendBottom, titleBottom) + MARGIN;
    }

    private void paintEmptyMessage(GC gc, Rectangle area, Palette palette) {
        if (emptyMessage.isEmpty()) {
            return;
        }
        Point extent = gc.stringExtent(emptyMessage);
        gc.setForeground(palette.mutedText);
        gc.drawString(emptyMessage, area.x + (area.width - extent.x) / 2,
                area.y + (area.height - extent.y) / 2, true);
    }

    private void paintPlot(GC gc, Rectangle area, int headerBottom, List<Series> plotted,
            Palette palette) {
        int fontHeight = gc.getFontMetrics().getHeight();
        double[] xRange = xRange(plotted);
        double[] yRange = yRange(plotted);
        double[] yTicks = niceTicks(yRange[0], yRange[1], TARGET_Y_TICKS);

        // Margins depend on label sizes, so measure before placing the plot.
        int yLabelWidth = widestTickLabel(gc, yTicks);
        int left = area.x + MARGIN + (yAxisLabel.isEmpty() ? 0 : fontHeight + 6) + yLabelWidth + 6;
        int lastXLabelWidth = gc.stringExtent(formatRound(Math.floor(xRange[1]))).x;
        int right = area.x + area.width - Math.max(MARGIN, lastXLabelWidth / 2 - X_INSET + MARGIN / 2);
        // Half a line above the plot so the top tick label is not cut off by the header.
        int top = headerBottom + fontHeight / 2;
        int bottom = area.y + area.height - MARGIN - fontHeight - 4
                - (xAxisLabel.isEmpty() ? 0 : fontHeight + 2);
        Rectangle plot = new Rectangle(left, top, right - left, bottom - top);
        if (plot.width < 2 * X_INSET + 10 || plot.height < 10) {
            return; // too small to show anything meaningful
        }
        lastPlotArea = plot;

        // Fewer y ticks on short charts, so labels keep at least ~1.5 lines between them.
        for (int target = TARGET_Y_TICKS - 1; target >= 2 && yTicks.length > 2
                && plot.height / (double) (yTicks.length - 1) < fontHeight * 1.5; target--) {
            yTicks = niceTicks(yRange[0], yRange[1], target);
        }
        double[] xTicks = roundTicks(gc, xRange, plot.width - 2 * X_INSET, fontHeight);
        Scale scale = new Scale(plot, xRange, yRange);

        paintGridAndAxes(gc, plot, scale, xTicks, yTicks, palette);
        paintTickLabels(gc, plot, scale, xTicks, yTicks, fontHeight, palette);
        paintAxisLabels(gc, area, plot, fontHeight, palette);
        for (Series series : plotted) {
            paintSeries(gc, plot, scale, series, palette);
        }
    }

    private void paintGridAndAxes(GC gc, Rectangle plot, Scale scale, double[] xTicks,
            double[] yTicks, Palette palette) {
        // Crisp one-pixel lines: anti-aliasing would smear them over two pixels.
        gc.setAntialias(SWT.OFF);
        gc.setLineWidth(1);
        gc.setLineStyle(SWT.LINE_SOLID);
        gc.setForeground(palette.grid);
        int plotBottom = plot.y + plot.height;
        int plotRight = plot.x + plot.width;
        for (double tick : yTicks) {
            int y = scale.y(tick);
            if (y < plotBottom) {
                gc.drawLine(plot.x, y, plotRight, y);
            }
        }
        for (double tick : xTicks) {
            gc.drawLine(scale.x(tick), plot.y, scale.x(tick), plotBottom);
        }
        gc.setForeground(palette.axis);
        gc.drawLine(plot.x, plot.y, plot.x, plotBottom);
        gc.drawLine(plot.x, plotBottom, plotRight, plotBottom);
    }

    private void paintTickLabels(GC gc, Rectangle plot, Scale scale, double[] xTicks,
            double[] yTicks, int fontHeight, Palette palette) {
        gc.setForeground(palette.mutedText);
        int decimals = decimalsFor(yTicks);
        for (double tick : yTicks) {
            String label = formatTick(tick, decimals);
            Point extent = gc.stringExtent(label);
            gc.drawString(label, plot.x - 6 - extent.x, scale.y(tick) - extent.y / 2, true);
        }
        int labelTop = plot.y + plot.height + 4;
        for (double tick : xTicks) {
            String label = formatRound(tick);
            Point extent = gc.stringExtent(label);
            gc.drawString(label, scale.x(tick) - extent.x / 2, labelTop, true);
        }
    }

    private void paintAxisLabels(GC gc, Rectangle area, Rectangle plot, int fontHeight,
            Palette palette) {
        gc.setForeground(palette.mutedText);
        if (!xAxisLabel.isEmpty()) {
            Point extent = gc.stringExtent(xAxisLabel);
            gc.drawString(xAxisLabel, plot.x + (plot.width - extent.x) / 2,
                    plot.y + plot.height + 4 + fontHeight + 2, true);
        }
        if (!yAxisLabel.isEmpty()) {
            drawRotatedUp(gc, yAxisLabel, area.x + MARGIN + fontHeight / 2,
                    plot.y + plot.height / 2);
        }
    }

    private void paintSeries(GC gc, Rectangle plot, Scale scale, Series series, Palette palette) {
        Color color = palette.create(series.color);
        gc.setAntialias(SWT.ON);
        gc.setForeground(color);
        gc.setBackground(color);
        gc.setLineWidth(LINE_WIDTH);
        gc.setLineCap(SWT.CAP_ROUND);
        gc.setLineJoin(SWT.JOIN_ROUND);

        // Values outside a fixed y range are cut at the plot's edge (plus room for half a dot,
        // so points lying exactly on the edge stay round).
        int dotRoom = DOT_DIAMETER / 2 + 1;
        Region previousClip = new Region(gc.getDevice());
        gc.getClipping(previousClip);
        gc.setClipping(plot.x - dotRoom, plot.y - dotRoom, plot.width + 2 * dotRoom,
                plot.height + 2 * dotRoom);
        try {
            boolean dotsFit = plot.width / (double) Math.max(1, series.pointCount())
                    >= MIN_PIXELS_PER_POINT_FOR_DOTS;
            int count = series.xs.length;
            // Each run of consecutive real values is one polyline; NaN ends the run.
            int[] run = new int[2 * count];
            int runLength = 0;
            for (int i = 0; i <= count; i++) {
                boolean real = i < count && series.isPoint(i);
                if (real) {
                    run[2 * runLength] = scale.x(series.xs[i]);
                    run[2 * runLength + 1] = scale.y(series.ys[i]);
                    runLength++;
                    continue;
                }
                if (runLength > 1) {
                    gc.drawPolyline(Arrays.copyOf(run, 2 * runLength));
                }
                if (runLength == 1 && !dotsFit) {
                    // An isolated point has no line; without a dot it would be invisible.
                    fillDot(gc, run[0], run[1]);
                }
                runLength = 0;
            }
            if (dotsFit) {
                for (int i = 0; i < count; i++) {
                    if (series.isPoint(i)) {
                        fillDot(gc, scale.x(series.xs[i]), scale.y(series.ys[i]));
                    }
                }
            }
        } finally {
            gc.setClipping(previousClip);
            previousClip.dispose();
            gc.setLineWidth(1);
        }
    }

    private static void fillDot(GC gc, int centerX, int centerY) {
        gc.fillOval(centerX - DOT_DIAMETER / 2, centerY - DOT_DIAMETER / 2, DOT_DIAMETER,
                DOT_DIAMETER);
    }

    /** Text reading bottom-to-top, centred on the given point (for the y axis label). */
    private static void drawRotatedUp(GC gc, String text, int centerX, int centerY) {
        Point extent = gc.stringExtent(text);
        Device device = gc.getDevice();
        Transform previous = new Transform(device);
        Transform rotated = new Transform(device);
        try {
            // Start from the GC's current transform: Control.print may already have one.
            gc.getTransform(previous);
            gc.getTransform(rotated);
            rotated.translate(centerX, centerY);
            rotated.rotate(-90);
            gc.setTransform(rotated);
            gc.drawString(text, -extent.x / 2, -extent.y / 2, true);
            gc.setTransform(previous);
        } finally {
            previous.dispose();
            rotated.dispose();
        }
    }

    // ---------------------------------------------------------------- ranges and ticks

    private static double[] xRange(List<Series> plotted) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series series : plotted) {
            for (int i = 0; i < series.xs.length; i++) {
                if (series.isPoint(i)) {
                    min = Math.min(min, series.xs[i]);
                    max = Math.max(max, series.xs[i]);
                }
            }
        }
        if (min == max) {
            // A single round: centre it between its neighbours rather than divide by zero.
            return new double[] {min - 1, max + 1};
        }
        return new double[] {min, max};
    }

    private double[] yRange(List<Series> plotted) {
        if (!Double.isNaN(fixedYMin)) {
            return new double[] {fixedYMin, fixedYMax};
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (Series series : plotted) {
            for (int i = 0; i < series.ys.length; i++) {
                if (series.isPoint(i)) {
                    min = Math.min(min, series.ys[i]);
                    max = Math.max(max, series.ys[i]);
                }
            }
        }
        double span = max - min;
        if (span == 0) {
            // A flat line or a single point: give it room proportional to its size, so the
            // line sits in the middle and the ticks stay meaningful.
            double halfSpan = min == 0 ? 1 : Math.abs(min) * 0.1;
            return new double[] {min - halfSpan, max + halfSpan};
        }
        return new double[] {min - span * AUTO_RANGE_PADDING, max + span * AUTO_RANGE_PADDING};
    }

    /**
     * Multiples of a 1-2-5 step inside [min, max], choosing the step whose tick count comes
     * closest to the target (fewer ticks on a tie: calmer).
     */
    static double[] niceTicks(double min, double max, int targetCount) {
        double span = max - min;
        if (!(span > 0) || !Double.isFinite(span)) {
            return new double[] {min};
        }
        double raw = span / Math.max(1, targetCount - 1);
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double bestStep = magnitude;
        int bestDistance = Integer.MAX_VALUE;
        for (double multiple : new double[] {1, 2, 5, 10}) {
            double step = multiple * magnitude;
            int distance = Math.abs(tickCount(min, max, step) - targetCount);
            if (distance <= bestDistance) {
                bestDistance = distance;
                bestStep = step;
            }
        }
        return ticks(min, max, bestStep);
    }

    private static int tickCount(double min, double max, double step) {
        return (int) (Math.floor(max / step + 1e-9) - Math.ceil(min / step - 1e-9)) + 1;
    }

    private static double[] ticks(double min, double max, double step) {
        long first = (long) Math.ceil(min / step - 1e-9);
        int count = Math.max(0, tickCount(min, max, step));
        double[] ticks = new double[count];
        for (int i = 0; i < count; i++) {
            // Multiply instead of accumulate, so 0.1 steps do not drift to 0.30000000000000004.
            ticks[i] = (first + i) * step;
        }
        return ticks;
    }

    /** Whole rounds, on a 1-2-5 step wide enough that labels never touch. */
    private static double[] roundTicks(GC gc, double[] xRange, int usableWidth, int fontHeight) {
        double pixelsPerRound = usableWidth / (xRange[1] - xRange[0]);
        int widestLabel = Math.max(gc.stringExtent(formatRound(Math.floor(xRange[0]))).x,
                gc.stringExtent(formatRound(Math.ceil(xRange[1]))).x);
        double minSpacing = widestLabel + fontHeight; // about two characters of air
        for (long magnitude = 1; ; magnitude *= 10) {
            for (long multiple : new long[] {1, 2, 5}) {
                long step = multiple * magnitude;
                if (step * pixelsPerRound >= minSpacing || step > 1e15) {
                    return ticks(xRange[0], xRange[1], step);
                }
            }
        }
    }

    private static int widestTickLabel(GC gc, double[] ticks) {
        int decimals = decimalsFor(ticks);
        int widest = 0;
        for (double tick : ticks) {
            widest = Math.max(widest, gc.stringExtent(formatTick(tick, decimals)).x);
        }
        return widest;
    }

    /** Just enough decimals to tell neighbouring ticks apart: 0.2 → 1, 0.05 → 2, 5 → 0. */
    private static int decimalsFor(double[] ticks) {
        if (ticks.length < 2) {
            return 2;
        }
        double step = Math.abs(ticks[1] - ticks[0]);
        return Math.max(0, Math.min(10, (int) -Math.floor(Math.log10(step) + 1e-9)));
    }

    private static String formatTick(double value, int decimals) {
        String text = String.format("%." + decimals + "f", value);
        // -0.0 would look like a bug next to 0.0 ticks
        return text.matches("-0([.,]0*)?") ? text.substring(1) : text;
    }

    private static String formatRound(double round) {
        return Long.toString(Math.round(round));
    }

    private static String nullToEmpty(String text) {
        return text == null ? "" : text;
    }

    private Font titleFont() {
        Font base = getFont();
        if (titleFont == null || titleFontSource != base) {
            disposeTitleFont();
            FontData[] data = base.getFontData();
            for (FontData fontData : data) {
                fontData.setStyle(fontData.getStyle() | SWT.BOLD);
            }
            titleFont = new Font(getDisplay(), data);
            titleFontSource = base;
        }
        return titleFont;
    }

    private void disposeTitleFont() {
        if (titleFont != null) {
            titleFont.dispose();
            titleFont = null;
            titleFontSource = null;
        }
    }

    // ---------------------------------------------------------------- helpers

    private static final class Series {
        final String name;
        final double[] xs;
        final double[] ys;
        final RGB color;

        Series(String name, double[] xs, double[] ys, RGB color) {
            this.name = name;
            this.xs = xs;
            this.ys = ys;
            this.color = color;
        }

        boolean isPoint(int index) {
            return Double.isFinite(xs[index]) && Double.isFinite(ys[index]);
        }

        int pointCount() {
            int count = 0;
            for (int i = 0; i < xs.length; i++) {
                if (isPoint(i)) {
                    count++;
                }
            }
            return count;
        }

        boolean hasPoints() {
            return pointCount() > 0;
        }

        double lastValue() {
            for (int i = ys.length - 1; i >= 0; i--) {
                if (isPoint(i)) {
                    return ys[i];
                }
            }
            return Double.NaN;
        }
    }

    /** One legend item: colour swatch, series name, and its latest value. */
    private static final class LegendEntry {
        static final int GAP = 16;
        private static final int SWATCH_TEXT_GAP = 5;
        private static final int NAME_VALUE_GAP = 6;

        final Series series;
        final String value;
        final int nameWidth;
        final int width;

        LegendEntry(GC gc, Series series) {
            this.series = series;
            this.value = String.format("%.4f", series.lastValue());
            this.nameWidth = gc.stringExtent(series.name).x;
            this.width = SWATCH_SIZE + SWATCH_TEXT_GAP + nameWidth + NAME_VALUE_GAP
                    + gc.stringExtent(value).x;
        }

        void paint(GC gc, int x, int y, int fontHeight, Palette palette) {
            Color color = palette.create(series.color);
            gc.setAntialias(SWT.ON);
            gc.setBackground(color);
            gc.fillRoundRectangle(x, y + (fontHeight - SWATCH_SIZE) / 2, SWATCH_SIZE, SWATCH_SIZE,
                    3, 3);
            int textX = x + SWATCH_SIZE + SWATCH_TEXT_GAP;
            gc.setForeground(palette.text);
            gc.drawString(series.name, textX, y, true);
            gc.setForeground(palette.mutedText);
            gc.drawString(value, textX + nameWidth + NAME_VALUE_GAP, y, true);
        }
    }

    /** Maps data coordinates to pixels inside the plot rectangle. */
    private static final class Scale {
        private final Rectangle plot;
        private final double xMin;
        private final double xSpan;
        private final double yMin;
        private final double ySpan;

        Scale(Rectangle plot, double[] xRange, double[] yRange) {
            this.plot = plot;
            this.xMin = xRange[0];
            this.xSpan = xRange[1] - xRange[0];
            this.yMin = yRange[0];
            this.ySpan = yRange[1] - yRange[0];
        }

        int x(double value) {
            double usable = plot.width - 2 * X_INSET;
            return toPixel(plot.x + X_INSET + (value - xMin) / xSpan * usable);
        }

        int y(double value) {
            return toPixel(plot.y + plot.height - (value - yMin) / ySpan * plot.height);
        }

        /** Clamped, so a value far outside a fixed range cannot overflow int coordinates. */
        private static int toPixel(double coordinate) {
            return (int) Math.round(Math.max(-100_000, Math.min(100_000, coordinate)));
        }
    }

    /** Theme-following colours for the chart's furniture, all disposed after the paint. */
    private static final class Palette {
        final Color background;
        final Color text;
        final Color mutedText;
        final Color axis;
        final Color grid;
        private final Device device;
        private final List<Color> created;

        Palette(Device device, Color foreground, Color background, List<Color> created) {
            this.device = device;
            this.created = created;
            this.background = background;
            RGB fg = foreground.getRGB();
            RGB bg = background.getRGB();
            this.text = create(blend(fg, bg, 0.85));
            this.mutedText = create(blend(fg, bg, 0.60));
            this.axis = create(blend(fg, bg, 0.35));
            this.grid = create(blend(fg, bg, 0.10));
        }

        Color create(RGB rgb) {
            Color color = new Color(device, rgb);
            created.add(color);
            return color;
        }

        private static RGB blend(RGB foreground, RGB background, double foregroundShare) {
            return new RGB(mix(foreground.red, background.red, foregroundShare),
                    mix(foreground.green, background.green, foregroundShare),
                    mix(foreground.blue, background.blue, foregroundShare));
        }

        private static int mix(int foreground, int background, double foregroundShare) {
            return (int) Math.round(foreground * foregroundShare
                    + background * (1 - foregroundShare));
        }
    }
}
