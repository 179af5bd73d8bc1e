package io.kgen;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The symbol versions the packaged native libraries ask of the system (objdump -T) are no newer
 * than {@link NativeFloor} says, so the floor in the README and `kgen info` is the truth.
 */
class NativeFloorTest {
    private static final Pattern VERSION = Pattern.compile("\\((GLIBC|GLIBCXX|CXXABI)_([0-9.]+)\\)");

    private static int compare(String a, String b) {
        String[] x = a.split("\\."), y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int u = i < x.length ? Integer.parseInt(x[i]) : 0, v = i < y.length ? Integer.parseInt(y[i]) : 0;
            if (u != v) return Integer.compare(u, v);
        }
        return 0;
    }

    @Test
    void librariesAskNoMoreThanTheStatedFloor() throws Exception {
        Path folder = Path.of("target", "classes", "io", "kgen", "nativeapi", "linux-x86_64");
        assumeTrue(Files.isDirectory(folder), "no packaged native libraries at " + folder);
        List<Path> libraries;
        try (Stream<Path> files = Files.list(folder)) {
            libraries = files.filter(p -> p.toString().endsWith(".so")).toList();
        }
        assertTrue(libraries.size() >= 2, "libkgen and its JNI glue in " + folder);
        List<String> seen = new ArrayList<>();
        for (Path library : libraries) {
            String table;
            try {
                Process objdump = new ProcessBuilder("objdump", "-T", library.toString()).redirectErrorStream(true).start();
                table = new String(objdump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assumeTrue(objdump.waitFor() == 0, "objdump failed: " + table);
            } catch (IOException e) {
                assumeTrue(false, "no objdump on this machine");
                return;
            }
            Matcher m = VERSION.matcher(table);
            while (m.find()) {
                String floor = switch (m.group(1)) {
                    case "GLIBC" -> NativeFloor.GLIBC;
                    case "GLIBCXX" -> NativeFloor.GLIBCXX;
                    default -> NativeFloor.CXXABI;
                };
                seen.add(library.getFileName() + " " + m.group(1) + "_" + m.group(2));
                assertTrue(compare(m.group(2), floor) <= 0,
                        library.getFileName() + " needs " + m.group(1) + "_" + m.group(2) + ", above the stated " + floor);
            }
        }
        assertTrue(seen.stream().anyMatch(s -> s.contains("GLIBC_")), "no symbol versions read: " + seen);
    }
}
