package io.kgen;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A row-major float32 matrix in host memory: on the Java heap (a {@code float[]}) or off heap
 * (native memory, freed by {@link #close()}; engine calls on a CPU engine use it without a copy).
 * Not thread-safe for writes.
 */
public final class FloatMatrix implements Matrix, AutoCloseable {
    private final long rows;
    private final int cols;
    private final float[] heap;
    private FloatPointer offHeap;

    private FloatMatrix(long rows, int cols, float[] heap, FloatPointer offHeap) {
        this.rows = rows;
        this.cols = cols;
        this.heap = heap;
        this.offHeap = offHeap;
    }

    /** A zero matrix on the heap; rows x cols must fit in one Java array. */
    public static FloatMatrix heap(long rows, int cols) {
        return new FloatMatrix(rows, cols, new float[Checks.heapLength(rows, cols, "matrix")], null);
    }

    /** Wraps {@code values} (row-major, length rows x cols) without copying. */
    public static FloatMatrix wrap(long rows, int cols, float[] values) {
        Checks.shape(rows, cols, "matrix");
        if (values == null) throw new IllegalArgumentException("values is null");
        if (values.length != rows * cols) {
            throw new IllegalArgumentException("values has length " + values.length + " but rows x cols = "
                    + rows + " x " + cols + " = " + rows * cols);
        }
        return new FloatMatrix(rows, cols, values, null);
    }

    /** A heap copy of a rectangular {@code float[rows][cols]}. */
    public static FloatMatrix of(float[][] rowsOfValues) {
        if (rowsOfValues == null || rowsOfValues.length == 0) {
            throw new IllegalArgumentException("rowsOfValues is empty");
        }
        int cols = rowsOfValues[0].length;
        FloatMatrix m = heap(rowsOfValues.length, cols);
        for (int r = 0; r < rowsOfValues.length; r++) {
            if (rowsOfValues[r].length != cols) {
                throw new IllegalArgumentException("rowsOfValues[" + r + "] has length " + rowsOfValues[r].length
                        + ", expected " + cols);
            }
            System.arraycopy(rowsOfValues[r], 0, m.heap, r * cols, cols);
        }
        return m;
    }

    /** A zero matrix in native memory, for matrices beyond a Java array or for zero-copy calls. */
    public static FloatMatrix offHeap(long rows, int cols) {
        Checks.shape(rows, cols, "matrix");
        FloatPointer p;
        try {
            p = new FloatPointer(rows * cols);
        } catch (OutOfMemoryError e) {
            throw new KgenException(KgenException.Status.OUT_OF_MEMORY,
                    "cannot allocate an off-heap matrix of " + rows + " x " + cols + " floats: " + e.getMessage());
        }
        p.fill(0);
        return new FloatMatrix(rows, cols, null, p);
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    public boolean isOffHeap() {
        return heap == null;
    }

    public float get(long row, int col) {
        long i = index(row, col);
        return heap != null ? heap[(int) i] : open().get(i);
    }

    public void set(long row, int col, float value) {
        long i = index(row, col);
        if (heap != null) heap[(int) i] = value;
        else open().put(i, value);
    }

    /** Element {@code i} in row-major order. */
    public float getFlat(long i) {
        checkFlat(i);
        return heap != null ? heap[(int) i] : open().get(i);
    }

    public void setFlat(long i, float value) {
        checkFlat(i);
        if (heap != null) heap[(int) i] = value;
        else open().put(i, value);
    }

    public float[] row(long row) {
        index(row, 0);
        float[] out = new float[cols];
        if (heap != null) System.arraycopy(heap, (int) (row * cols), out, 0, cols);
        else new FloatPointer(open()).position(row * cols).get(out);
        return out;
    }

    /** Sets row {@code row} to {@code values} (length cols). */
    public void setRow(long row, float[] values) {
        index(row, 0);
        if (values == null || values.length != cols) {
            throw new IllegalArgumentException("values must have " + cols + " entries, got "
                    + (values == null ? "null" : values.length));
        }
        if (heap != null) System.arraycopy(values, 0, heap, (int) (row * cols), cols);
        else new FloatPointer(open()).position(row * cols).put(values);
    }

    /** A heap copy of rows first .. first + count - 1. */
    public FloatMatrix copyRows(long first, long count) {
        if (first < 0 || count < 0 || first + count > rows) {
            throw new IndexOutOfBoundsException("rows " + first + " .. " + (first + count) + " outside [0, " + rows + ")");
        }
        FloatMatrix out = heap(count, cols);
        for (long i = 0; i < count; i++) out.setRow(i, row(first + i));
        return out;
    }

    /** Copies {@code block} (same columns) into rows first .. first + block.rows() - 1. */
    void setRows(long first, FloatMatrix block) {
        if (block.cols != cols || first < 0 || first + block.rows > rows) {
            throw new IndexOutOfBoundsException(block.rows + " x " + block.cols + " block at row " + first
                    + " of a " + rows + " x " + cols + " matrix");
        }
        if (heap != null && block.heap != null) {
            System.arraycopy(block.heap, 0, heap, (int) (first * cols), block.heap.length);
        } else {
            for (long i = 0; i < block.rows; i++) setRow(first + i, block.row(i));
        }
    }

    /** The sum of all elements, accumulated in double. */
    public double sum() {
        double s = 0;
        for (long i = 0; i < size(); i++) s += getFlat(i);
        return s;
    }

    /** A heap copy of all elements, row-major. */
    public float[] toArray() {
        float[] out = new float[Checks.heapLength(rows, cols, "matrix")];
        if (heap != null) System.arraycopy(heap, 0, out, 0, out.length);
        else new FloatPointer(open()).get(out);
        return out;
    }

    public void fill(float value) {
        if (heap != null) Arrays.fill(heap, value);
        else {
            float[] chunk = new float[(int) Math.min(size(), 1 << 16)];
            Arrays.fill(chunk, value);
            for (long at = 0; at < size(); at += chunk.length) {
                int n = (int) Math.min(chunk.length, size() - at);
                new FloatPointer(open()).position(at).put(chunk, 0, n);
            }
        }
    }

    /** Scans the values on the host: NaN, infinities and entries below {@code lower} are bad. */
    ValueScan scan(float lower) {
        long bad = 0;
        long first = -1;
        double sum = 0;
        float[] chunk = heap != null ? heap : new float[(int) Math.min(size(), 1 << 16)];
        for (long at = 0; at < size(); at += chunk.length) {
            int n = (int) Math.min(chunk.length, size() - at);
            if (heap == null) new FloatPointer(open()).position(at).get(chunk, 0, n);
            for (int i = 0; i < n; i++) {
                float v = chunk[i];
                if (!(v >= lower) || Float.isInfinite(v)) {
                    if (first < 0) first = at + i;
                    bad++;
                }
                sum += v;
            }
        }
        return new ValueScan(bad, first, sum);
    }

    /** Frees the native memory of an off-heap matrix; a no-op on the heap. Idempotent. */
    @Override
    public void close() {
        if (offHeap != null) {
            offHeap.close();
            offHeap = null;
        }
    }

    /** The backing array of a heap matrix (null off heap). */
    float[] heapArray() {
        return heap;
    }

    /** The native address of an off-heap matrix. */
    long address() {
        return open().address();
    }

    private FloatPointer open() {
        if (offHeap == null) throw new IllegalStateException("off-heap matrix is closed");
        return offHeap;
    }

    private long index(long row, int col) {
        if (row < 0 || row >= rows) throw new IndexOutOfBoundsException("row " + row + " outside [0, " + rows + ")");
        if (col < 0 || col >= cols) throw new IndexOutOfBoundsException("col " + col + " outside [0, " + cols + ")");
        return row * cols + col;
    }

    private void checkFlat(long i) {
        if (i < 0 || i >= size()) throw new IndexOutOfBoundsException("index " + i + " outside [0, " + size() + ")");
    }

    @Override
    public String toString() {
        return "FloatMatrix[" + rows + " x " + cols + (heap == null ? ", off heap]" : "]");
    }
}
