package io.kgen.plot;

import io.kgen.FloatMatrix;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A PNG grid of grey-scale images, one matrix row per image (e.g. 28 x 28 MNIST digits), values
 * clamped to [0, 1], white ink on black as MNIST is stored, a 2-pixel gutter, each pixel scaled.
 */
public final class ImageGrid {
    private ImageGrid() {}

    public static void writePng(Path file, FloatMatrix images, int height, int width, int columns, int scale)
            throws IOException {
        if (images == null || images.rows() == 0) throw new IllegalArgumentException("no images");
        if ((long) height * width != images.cols()) {
            throw new IllegalArgumentException("images have " + images.cols() + " values, not " + height + " x " + width);
        }
        if (columns < 1 || scale < 1) throw new IllegalArgumentException("columns and scale must be >= 1");
        int count = (int) Math.min(images.rows(), 10_000);
        int rows = (count + columns - 1) / columns;
        int gutter = 2;
        int cellW = width * scale + gutter;
        int cellH = height * scale + gutter;
        BufferedImage out = new BufferedImage(columns * cellW + gutter, rows * cellH + gutter, BufferedImage.TYPE_BYTE_GRAY);
        var raster = out.getRaster();
        for (int n = 0; n < count; n++) {
            int x0 = gutter + (n % columns) * cellW;
            int y0 = gutter + (n / columns) * cellH;
            for (int r = 0; r < height; r++) {
                for (int c = 0; c < width; c++) {
                    float v = images.get(n, r * width + c);
                    int grey = Math.round(255 * Math.max(0f, Math.min(1f, Float.isNaN(v) ? 0f : v)));
                    for (int dy = 0; dy < scale; dy++) {
                        for (int dx = 0; dx < scale; dx++) raster.setSample(x0 + c * scale + dx, y0 + r * scale + dy, 0, grey);
                    }
                }
            }
        }
        // The gutter stays mid-grey so that black digits on black remain separable.
        for (int y = 0; y < out.getHeight(); y++) {
            for (int x = 0; x < out.getWidth(); x++) {
                boolean inGutter = (x % cellW) < gutter || (y % cellH) < gutter;
                if (inGutter) raster.setSample(x, y, 0, 96);
            }
        }
        Pictures.write(file, out);
    }
}
