package io.kgen.plot;

import io.kgen.io.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Writes a picture in the format its file name asks for ({@code .png}, or {@code .jpg} /
 * {@code .jpeg}), complete or not at all ({@link AtomicFiles}). Any other extension is refused
 * before anything is drawn ({@link #requireSupported}).
 */
public final class Pictures {
    private Pictures() {}

    /** The ImageIO format name for the file, or an exception naming the extension. */
    public static String requireSupported(Path file) {
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) return "png";
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) return "jpeg";
        throw new IllegalArgumentException(file + ": a picture must be .png, .jpg or .jpeg");
    }

    public static void write(Path file, BufferedImage image) throws IOException {
        String format = requireSupported(file);
        // JPEG has no alpha channel: draw onto white first.
        BufferedImage pixels = image;
        if (format.equals("jpeg") && image.getColorModel().hasAlpha()) {
            pixels = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            var g = pixels.createGraphics();
            g.drawImage(image, 0, 0, java.awt.Color.WHITE, null);
            g.dispose();
        }
        BufferedImage drawn = pixels;
        AtomicFiles.replace(file, partial -> {
            if (!ImageIO.write(drawn, format, partial.toFile())) {
                throw new IOException("no " + format + " writer for this image");
            }
        });
    }
}
