package io.kgen.spark;

import io.kgen.Engine;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/**
 * One engine per JVM and GPU, opened on first use and closed when the JVM exits. A task that
 * Spark gave a GPU (spark.task.resource.gpu.amount, with a discovery script on the executors)
 * uses that GPU's CUDA engine; any other task, and the driver, the best engine there is (CUDA
 * device 0 when usable, else the CPU). Concurrent tasks share an engine: its calls take turns,
 * and each call uses the whole GPU or every core.
 */
final class ExecutorEngines {
    private static final Map<String, Engine> OPEN = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.values().forEach(Engine::close),
                "kgen-engines-close"));
    }

    private ExecutorEngines() {}

    /** The engine for the running task (or the driver). */
    static Engine current() {
        String gpu = assignedGpu();
        if (gpu == null) return OPEN.computeIfAbsent("auto", key -> Engine.open());
        return OPEN.computeIfAbsent("cuda:" + gpu, key -> Engine.cuda(parseGpu(gpu)));
    }

    /** The first GPU address Spark assigned to the running task, or null. */
    private static String assignedGpu() {
        TaskContext task = TaskContext.get();
        if (task == null) return null;
        ResourceInformation gpu = task.resourcesJMap().get("gpu");
        return gpu == null || gpu.addresses().length == 0 ? null : gpu.addresses()[0];
    }

    private static int parseGpu(String address) {
        try {
            return Integer.parseInt(address.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Spark assigned GPU address \"" + address + "\": kgen needs the CUDA "
                    + "device index (a discovery script that lists indices, as nvidia-smi does)");
        }
    }
}
