package io.kgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny project built against the core artifact alone, as a user's project sees it: the README's
 * "Use from Java" block is compiled with the core jar and its run-time dependencies (as Maven
 * resolves them from the core's pom) as the only classpath, and run in a JVM of its own: once as
 * is, once without OpenBLAS (a user may exclude it; the CPU then runs its hand-written blocks). Runs after
 * the jar is packed (failsafe), so it is the shipped jar that is tried, natives included.
 */
class CoreArtifactIT {
    /** Class folders of the command line, or of libraries the core must not drag in. */
    private static final List<String> FOREIGN = List.of("io/kgen/cli/", "io/kgen/plot/", "io/kgen/experiments/",
            "picocli/", "org/knowm/", "me/tongfei/", "com/google/");

    @TempDir
    Path dir;

    @Test
    void theReadmeExampleBuildsAndRunsAgainstTheCoreArtifactAlone() throws Exception {
        List<Path> classpath = coreClasspath();
        for (Path jar : classpath) assertNoForeignClasses(jar);

        Path source = dir.resolve("KgenExample.java");
        Files.writeString(source, readmeExample());
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "no Java compiler in this runtime");
        String joined = String.join(File.pathSeparator, classpath.stream().map(Path::toString).toList());
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = compiler.run(null, null, errors, "-classpath", joined, "-d", dir.toString(), source.toString());
        assertEquals(0, status, "the README example does not compile against the core artifact:\n" + errors);

        String out = runExample(joined);
        assertTrue(out.contains(": 100 samples; score at the first point "), out);
        // the example prints the engine's description: which high-d blocks it runs
        assertTrue(out.contains("high d on OpenBLAS sgemm"), out);
        assertFalse(out.contains("cannot load OpenBLAS"), out);

        // A user who excludes OpenBLAS: the same program runs on the hand-written blocks, quietly.
        String withoutOpenBlas = String.join(File.pathSeparator, classpath.stream()
                .filter(p -> !p.getFileName().toString().startsWith("openblas-")).map(Path::toString).toList());
        out = runExample(withoutOpenBlas);
        assertTrue(out.contains(": 100 samples; score at the first point "), out);
        assertTrue(out.contains("high d on hand-written blocks"), out);
        assertFalse(out.contains("OpenBLAS"), "without OpenBLAS, nothing to say about it:\n" + out);
    }

    /** Runs the compiled example in a JVM of its own on {@code classpath}; its output. */
    private String runExample(String classpath) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path log = Files.createTempFile(dir, "out", ".txt");
        Process run = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED",
                "-Dorg.bytedeco.javacpp.cachedir=" + property("kgen.core.javacpp.cachedir"),
                "-cp", dir + File.pathSeparator + classpath, "KgenExample").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        boolean finished = run.waitFor(120, TimeUnit.SECONDS);
        if (!finished) run.destroyForcibly();
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(finished, "the example did not finish in 120 s:\n" + out);
        assertEquals(0, run.exitValue(), out);
        return out;
    }

    /**
     * The core jar, then what its pom brings at run time: JavaCPP and its natives, and the natives
     * of JavaCPP's OpenBLAS; nothing else.
     */
    private static List<Path> coreClasspath() throws IOException {
        List<Path> jars = new ArrayList<>();
        jars.add(Path.of(property("kgen.core.jar")));
        String resolved = Files.readString(Path.of(property("kgen.core.classpath.file"))).strip();
        for (String entry : resolved.split(File.pathSeparator)) {
            if (!entry.isEmpty()) jars.add(Path.of(entry));
        }
        List<String> names = jars.stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(4, jars.size(), "the core's run-time classpath: " + names);
        assertTrue(names.get(0).startsWith("kgen-core-"), names.toString());
        assertEquals(2, names.stream().filter(n -> n.startsWith("javacpp-")).count(), names.toString());
        assertEquals(1, names.stream().filter(n -> n.startsWith("openblas-") && n.endsWith("-linux-x86_64.jar")).count(),
                names.toString());
        return jars;
    }

    private static void assertNoForeignClasses(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(e -> e.getName()).filter(n -> FOREIGN.stream().anyMatch(n::startsWith)).findFirst()
                    .ifPresent(n -> {
                        throw new AssertionError(jar.getFileName() + " holds " + n);
                    });
            if (jar.getFileName().toString().startsWith("kgen-core-")) {
                // the core jar really is the library: the engine and the natives are in it
                assertNotNull(file.getEntry("io/kgen/Engine.class"), "Engine.class in " + jar);
                assertNotNull(file.getEntry("io/kgen/nativeapi/linux-x86_64/libkgen.so"), "libkgen.so in " + jar);
            }
        }
    }

    private static String readmeExample() throws IOException {
        String readme = Files.readString(Path.of(property("kgen.root"), "README.md"));
        int section = readme.indexOf("## Use from Java");
        assertTrue(section >= 0, "the README has a Use from Java section");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        return readme.substring(start, readme.indexOf("```", start));
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        assertNotNull(value, "system property " + name + " (set by the core's pom)");
        return value;
    }
}
