package io.kgen.experiments;

import java.io.IOException;
import io.kgen.io.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** A results table: named columns, rows of numbers or text, written as CSV and as Markdown. */
public final class Table {
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... columns) {
        if (columns.length == 0) throw new IllegalArgumentException("a table needs columns");
        this.columns = List.of(columns);
    }

    /** Adds a row: numbers are printed with 4 significant digits, anything else as text. */
    public Table row(Object... values) {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException("row has " + values.length + " values for " + columns.size() + " columns");
        }
        List<String> cells = new ArrayList<>();
        for (Object v : values) cells.add(format(v));
        rows.add(cells);
        return this;
    }

    public int rowCount() {
        return rows.size();
    }

    public List<String> columns() {
        return columns;
    }

    public String cell(int row, String column) {
        int c = columns.indexOf(column);
        if (c < 0) throw new IllegalArgumentException("no column " + column + " in " + columns);
        return rows.get(row).get(c);
    }

    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| ").append(String.join(" | ", columns)).append(" |\n");
        b.append("|").append("---|".repeat(columns.size())).append('\n');
        for (List<String> r : rows) b.append("| ").append(String.join(" | ", r)).append(" |\n");
        return b.toString();
    }

    public String csv() {
        StringBuilder b = new StringBuilder(String.join(",", columns)).append('\n');
        for (List<String> r : rows) b.append(String.join(",", r)).append('\n');
        return b.toString();
    }

    /** Writes {@code name}.csv and {@code name}.md into the folder. */
    public void write(Path folder, String name) throws IOException {
        Files.createDirectories(folder);
        AtomicFiles.replace(folder.resolve(name + ".csv"), file -> Files.writeString(file, csv()));
        AtomicFiles.replace(folder.resolve(name + ".md"), file -> Files.writeString(file, markdown()));
    }

    private static String format(Object v) {
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) return Double.toString(d);
            if (d != 0 && (Math.abs(d) < 1e-3 || Math.abs(d) >= 1e5)) return String.format(Locale.ROOT, "%.3e", d);
            return String.format(Locale.ROOT, "%.4g", d);
        }
        String s = String.valueOf(v);
        if (s.contains(",") || s.contains("|")) {
            throw new IllegalArgumentException("cell '" + s + "' would break the CSV or Markdown: " + Arrays.asList(v));
        }
        return s;
    }
}
