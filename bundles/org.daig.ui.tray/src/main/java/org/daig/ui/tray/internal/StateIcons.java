package org.daig.ui.tray.internal;

import java.util.EnumMap;
import java.util.Map;

import org.daig.api.volunteer.VolunteerStatus.State;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Display;

/**
 * The tray icon for each state, drawn at start rather than shipped as files: a disc in the
 * state's colour with a white glyph, so the states differ in shape as well as colour (for
 * colour-blind volunteers and monochrome panels).
 */
public final class StateIcons {

    private static final int SIZE = 32;
    private final Map<State, Image> images = new EnumMap<>(State.class);

    public StateIcons(Display display) {
        for (State s : State.values()) {
            images.put(s, draw(display, s));
        }
    }

    public Image get(State state) {
        return images.get(state);
    }

    public void dispose() {
        images.values().forEach(Image::dispose);
    }

    static RGB colour(State s) {
        return switch (s) {
        case TRAINING -> new RGB(46, 157, 72);
        case WAITING -> new RGB(214, 160, 32);
        case STOPPED -> new RGB(128, 128, 128);
        case SNOOZED -> new RGB(59, 111, 216);
        case DISCONNECTED -> new RGB(90, 90, 90);
        case ERROR -> new RGB(211, 58, 44);
        };
    }

    private static Image draw(Display display, State state) {
        // transparent background: an image with alpha, drawn with anti-aliasing
        ImageData transparent = new ImageData(SIZE, SIZE, 24, new org.eclipse.swt.graphics.PaletteData(0xFF0000, 0xFF00, 0xFF));
        transparent.alphaData = new byte[SIZE * SIZE];
        Image image = new Image(display, transparent);
        GC gc = new GC(image);
        Color fill = new Color(display, colour(state));
        Color white = display.getSystemColor(SWT.COLOR_WHITE);
        try {
            gc.setAntialias(SWT.ON);
            gc.setBackground(fill);
            gc.fillOval(1, 1, SIZE - 2, SIZE - 2);
            gc.setBackground(white);
            gc.setForeground(white);
            gc.setLineWidth(3);
            int c = SIZE / 2;
            switch (state) {
            case TRAINING -> gc.fillPolygon(new int[] { c - 5, c - 8, c - 5, c + 8, c + 8, c }); // play
            case WAITING -> { // hourglass
                gc.fillPolygon(new int[] { c - 7, c - 8, c + 7, c - 8, c, c });
                gc.fillPolygon(new int[] { c - 7, c + 8, c + 7, c + 8, c, c });
            }
            case STOPPED -> gc.fillRectangle(c - 6, c - 6, 12, 12); // stop square
            case SNOOZED -> { // crescent moon
                gc.fillOval(c - 8, c - 8, 16, 16);
                gc.setBackground(fill);
                gc.fillOval(c - 3, c - 11, 15, 15);
            }
            case DISCONNECTED -> { // a cross
                gc.drawLine(c - 6, c - 6, c + 6, c + 6);
                gc.drawLine(c + 6, c - 6, c - 6, c + 6);
            }
            case ERROR -> { // exclamation mark
                gc.fillRectangle(c - 2, c - 9, 4, 12);
                gc.fillRectangle(c - 2, c + 5, 4, 4);
            }
            }
        } finally {
            gc.dispose();
            fill.dispose();
        }
        // GC drawing on an image with alpha data keeps alpha 0; give the disc its opacity back
        ImageData data = image.getImageData();
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double dx = x + 0.5 - SIZE / 2.0;
                double dy = y + 0.5 - SIZE / 2.0;
                double edge = (SIZE - 2) / 2.0 - Math.sqrt(dx * dx + dy * dy);
                data.setAlpha(x, y, (int) Math.round(255 * Math.max(0, Math.min(1, edge + 0.5))));
            }
        }
        image.dispose();
        return new Image(display, data);
    }
}
