package io.kgen.io;

import io.kgen.FloatMatrix;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Numeric comma-separated files as {@link FloatMatrix}.
 *
 * <p>Read: blank lines are skipped; the first line is a header (and ignored) when none of its
 * cells is a number or starts like one (so a first row with a typo, "1f" or "0x10", is data and
 * its bad cell an error, not a silently lost row); every other line must have the header's or the first row's column
 * count. Cells may be quoted and padded with spaces; {@code nan}, {@code inf} and {@code -inf}
 * (as numpy writes them) are accepted in any case. A file that cannot be read or parsed throws
 * {@link IOException} whose message names the file, the line and, for a bad cell, the column
 * (both 1-based).
 *
 * <p>Write: one row a line, values as {@link Float#toString(float)} (which round-trips float32),
 * after an optional header line; a header of the wrong length throws
 * {@link IllegalArgumentException}.
 */
public final class Csv {
    private Csv() {}

    public static FloatMatrix read(Path path) throws IOException {
        String name = String.valueOf(path.getFileName());
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            int cols = -1;
            int firstLine = 0;
            long rows = 0;
            float[] values = new float[1024];
            String line;
            for (int lineNo = 1; (line = in.readLine()) != null; lineNo++) {
                if (lineNo == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.isBlank()) continue;
                List<String> cells = split(line);
                if (cols < 0) {
                    cols = cells.size();
                    firstLine = lineNo;
                    if (noNumbers(cells)) continue;  // a header; a row with some numbers is data, typos and all
                } else if (cells.size() != cols) {
                    throw new IOException(name + ": line " + lineNo + " has " + cells.size() + " columns, expected "
                            + cols + " (as on line " + firstLine + ")");
                }
                if ((rows + 1) * cols > values.length) values = grow(values, (rows + 1) * cols, name);
                for (int c = 0; c < cols; c++) {
                    values[(int) rows * cols + c] = parse(cells.get(c), name, lineNo, c + 1);
                }
                rows++;
            }
            if (cols < 0) throw new IOException(name + ": no data (the file is empty or blank)");
            return FloatMatrix.wrap(rows, cols, Arrays.copyOf(values, (int) (rows * cols)));
        } catch (CharacterCodingException e) {
            throw new IOException(name + ": not UTF-8 text (a binary file, or another encoding such as UTF-16); "
                    + "save it as UTF-8 CSV", e);
        }
    }

    public static void write(Path path, FloatMatrix m) throws IOException {
        write(path, m, null);
    }

    /** Writes {@code m} after a line of {@code header} names (one per column), or no header if null. */
    public static void write(Path path, FloatMatrix m, List<String> header) throws IOException {
        if (m == null) throw new IllegalArgumentException("matrix is null");
        if (header != null && header.size() != m.cols()) {
            throw new IllegalArgumentException("header has " + header.size() + " names but the matrix has "
                    + m.cols() + " columns");
        }
        AtomicFiles.replace(path, file -> {
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                if (header != null) {
                    for (int c = 0; c < header.size(); c++) {
                        if (c > 0) out.write(',');
                        out.write(quote(header.get(c)));
                    }
                    out.write('\n');
                }
                for (long r = 0; r < m.rows(); r++) {
                    float[] row = m.row(r);
                    for (int c = 0; c < row.length; c++) {
                        if (c > 0) out.write(',');
                        out.write(Float.toString(row[c]));
                    }
                    out.write('\n');
                }
            }
        });
    }

    /** Splits on commas outside double quotes; quotes stay on the cells ({@link #unquote} drops them). */
    private static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') quoted = !quoted;
            else if (ch == ',' && !quoted) {
                cells.add(line.substring(start, i));
                start = i + 1;
            }
        }
        cells.add(line.substring(start));
        return cells;
    }

    /** No cell is a number or starts like one ("1f", "0x10", "."): column names, not a data row with typos. */
    private static boolean noNumbers(List<String> cells) {
        for (String cell : cells) {
            String s = unquote(cell.strip());
            if (number(cell) != null || (!s.isEmpty() && "0123456789+-.".indexOf(s.charAt(0)) >= 0)) return false;
        }
        return true;
    }

    private static float parse(String cell, String name, int line, int col) throws IOException {
        Float v = number(cell);
        if (v == null) {
            String bare = unquote(cell.strip());  // a quoted empty cell is an empty cell
            String shown = bare.isEmpty() ? "an empty cell" : "'" + cell.strip() + "'";
            throw new IOException(name + ": line " + line + ", column " + col + ": " + shown + " is not a number");
        }
        return v;
    }

    /** The value of a cell, or null if it is not a number. */
    private static Float number(String cell) {
        String s = unquote(cell.strip());
        switch (s.toLowerCase()) {
            case "nan", "+nan", "-nan": return Float.NaN;
            case "inf", "+inf", "infinity", "+infinity": return Float.POSITIVE_INFINITY;
            case "-inf", "-infinity": return Float.NEGATIVE_INFINITY;
            default: break;
        }
        // parseFloat also takes Java suffixes like "1f" and hex floats; reject letters it would accept.
        if (s.isEmpty() || !s.chars().allMatch(ch -> Character.isDigit(ch) || "+-.eE".indexOf(ch) >= 0)) return null;
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1).strip() : s;
    }

    private static String quote(String name) {
        if (name == null) return "";
        boolean plain = name.chars().noneMatch(ch -> ch == ',' || ch == '"' || ch == '\n' || ch == '\r');
        return plain ? name : "\"" + name.replace("\"", "\"\"") + "\"";
    }

    private static float[] grow(float[] values, long needed, String name) throws IOException {
        long limit = Integer.MAX_VALUE - 8;
        if (needed > limit) throw new IOException(name + ": more than " + limit + " values; use .npy for data this large");
        return Arrays.copyOf(values, (int) Math.min(limit, Math.max(needed, 2L * values.length)));
    }
}
