package dev.damselfly.testkit.support;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Thread pools of daemon threads, so a leaked test server never keeps the JVM alive. */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /**
     * An unbounded cached pool (idle threads die after 60 s) of daemon threads named
     * {@code prefix-N}; suitable for {@code com.sun.net.httpserver} handlers that stream bodies.
     *
     * @param prefix thread name prefix
     * @return a new executor; the caller shuts it down
     */
    public static ExecutorService cachedPool(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return Executors.newCachedThreadPool(runnable -> {
            Thread t = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}
