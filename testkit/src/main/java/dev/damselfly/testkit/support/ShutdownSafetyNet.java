package dev.damselfly.testkit.support;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A single JVM shutdown hook that closes every test-kit resource still open when the JVM exits
 * (a crashed test, a forgotten {@code close()}, Ctrl-C in the IDE). Normal code closes its
 * resources itself and then {@link #unregister unregisters} them.
 */
public final class ShutdownSafetyNet {

    private static final Set<AutoCloseable> OPEN = Collections.newSetFromMap(new IdentityHashMap<>());
    private static boolean hookInstalled;

    private ShutdownSafetyNet() {
    }

    /**
     * Remembers a resource to close at JVM exit.
     *
     * @param resource closed (in reverse registration order) by the shutdown hook if still registered
     */
    public static synchronized void register(AutoCloseable resource) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(ShutdownSafetyNet::closeAll, "damselfly-testkit-shutdown"));
            hookInstalled = true;
        }
        OPEN.add(resource);
    }

    /**
     * Forgets a resource that its owner has closed.
     *
     * @param resource a previously registered resource; unknown ones are ignored
     */
    public static synchronized void unregister(AutoCloseable resource) {
        OPEN.remove(resource);
    }

    /** @return how many resources are registered right now (for tests of the test kit) */
    public static synchronized int openCount() {
        return OPEN.size();
    }

    private static void closeAll() {
        List<AutoCloseable> toClose;
        synchronized (ShutdownSafetyNet.class) {
            toClose = new ArrayList<>(OPEN);
            OPEN.clear();
        }
        Collections.reverse(toClose);
        for (AutoCloseable resource : toClose) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("damselfly-testkit: failed to close " + resource + " at shutdown: " + e);
            }
        }
    }
}
