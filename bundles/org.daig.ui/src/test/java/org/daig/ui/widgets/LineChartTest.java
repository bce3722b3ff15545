package org.daig.ui.widgets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LineChartTest {

    private static final int WIDTH = 500;
    private static final int HEIGHT = 250;
    /** A colour nothing else in the chart uses, so any pixel of it belongs to the series. */
    private static final RGB LOSS_COLOR = new RGB(200, 30, 30);
    private static final double[] ROUNDS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

    private Shell shell;
    private LineChart chart;

    @BeforeEach
    void openChart() {
        shell = new Shell(SwtTestSupport.display());
        chart = new LineChart(shell, SWT.NONE);
        chart.setBounds(0, 0, WIDTH, HEIGHT);
        chart.setTitle("Training");
        chart.setAxisLabels("Round", "Loss");
        chart.setEmptyMessage("No rounds yet");
        shell.setSize(WIDTH + 40, HEIGHT + 40);
        shell.open();
        SwtTestSupport.runPendingEvents();
    }

    @AfterEach
    void closeChart() {
        shell.dispose();
        SwtTestSupport.runPendingEvents();
    }

    @Test
    void drawsTheSeriesInItsColourInsideThePlot() {
        chart.setSeries("loss", ROUNDS, lossCurve(), LOSS_COLOR);

        ImageData picture = render();
        Rectangle plot = chart.lastPlotArea();

        assertNotNull(plot);
        assertTrue(count(picture, LOSS_COLOR, plot) > 50, "series pixels in the plot");
    }

    @Test
    void aSeriesWithoutValuesShowsTheEmptyMessageInstead() {
        double[] nothing = new double[ROUNDS.length];
        java.util.Arrays.fill(nothing, Double.NaN);
        chart.setSeries("loss", ROUNDS, nothing, LOSS_COLOR);

        ImageData picture = render();

        assertNull(chart.lastPlotArea());
        assertEquals(0, count(picture, LOSS_COLOR, new Rectangle(0, 0, WIDTH, HEIGHT)));
        // The message is the only thing in the middle of the chart.
        Rectangle middle = new Rectangle(WIDTH / 4, HEIGHT / 2 - 15, WIDTH / 2, 30);
        assertTrue(countDifferentFrom(picture, picture.palette.getRGB(picture.getPixel(1,
                HEIGHT - 2)), middle) > 20, "empty message drawn");
    }

    @Test
    void gapsAndAFixedRangeStillDrawTheRest() {
        double[] withGaps = lossCurve();
        withGaps[3] = Double.NaN;
        withGaps[4] = Double.NaN;
        withGaps[0] = 50; // far above the fixed range: cut off, not wrapped or crashing
        chart.setSeries("loss", ROUNDS, withGaps, LOSS_COLOR);
        chart.setYRange(0, 1);

        ImageData picture = render();

        assertTrue(count(picture, LOSS_COLOR, chart.lastPlotArea()) > 50);
    }

    @Test
    void replacingAndClearingSeries() {
        chart.setSeries("loss", ROUNDS, lossCurve(), new RGB(0, 200, 0));
        chart.setSeries("loss", ROUNDS, lossCurve(), LOSS_COLOR);
        ImageData replaced = render();
        assertEquals(0, count(replaced, new RGB(0, 200, 0), new Rectangle(0, 0, WIDTH, HEIGHT)));
        assertTrue(count(replaced, LOSS_COLOR, chart.lastPlotArea()) > 50);

        chart.clearSeries();
        ImageData cleared = render();
        assertEquals(0, count(cleared, LOSS_COLOR, new Rectangle(0, 0, WIDTH, HEIGHT)));
    }

    @Test
    void aSinglePointAndAFlatLineAreDrawn() {
        chart.setSeries("loss", new double[] {1}, new double[] {0.7}, LOSS_COLOR);
        assertTrue(count(render(), LOSS_COLOR, chart.lastPlotArea()) > 5);

        chart.setSeries("loss", ROUNDS, new double[ROUNDS.length], LOSS_COLOR);
        assertTrue(count(render(), LOSS_COLOR, chart.lastPlotArea()) > 50);
    }

    @Test
    void ticksFollowOneTwoFiveSteps() {
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0},
                LineChart.niceTicks(0, 1, 5), 1e-12);
        assertArrayEquals(new double[] {0.5, 1.0, 1.5, 2.0}, LineChart.niceTicks(0.2, 2.3, 5),
                1e-12);
        assertArrayEquals(new double[] {0, 20, 40, 60, 80, 100},
                LineChart.niceTicks(0, 100, 5), 1e-12);
    }

    private static double[] lossCurve() {
        double[] loss = new double[ROUNDS.length];
        for (int i = 0; i < loss.length; i++) {
            loss[i] = 0.2 + 0.6 * Math.exp(-i / 3.0);
        }
        return loss;
    }

    /** The chart as the user sees it, rendered off screen at a fixed size. */
    private ImageData render() {
        chart.redraw();
        SwtTestSupport.runPendingEvents();
        Image image = new Image(chart.getDisplay(), WIDTH, HEIGHT);
        GC gc = new GC(image);
        try {
            if (!chart.print(gc)) {
                gc.dispose();
                gc = new GC(chart);
                gc.copyArea(image, 0, 0);
            }
        } finally {
            gc.dispose();
        }
        ImageData data = image.getImageData();
        image.dispose();
        return data;
    }

    private static int count(ImageData picture, RGB color, Rectangle area) {
        int count = 0;
        for (int y = area.y; y < area.y + area.height; y++) {
            for (int x = area.x; x < area.x + area.width; x++) {
                if (picture.palette.getRGB(picture.getPixel(x, y)).equals(color)) {
                    count++;
                }
            }
        }
        return count;
    }

    private static int countDifferentFrom(ImageData picture, RGB color, Rectangle area) {
        return area.width * area.height - count(picture, color, area);
    }
}
