package dev.damselfly.exchange.engine;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Parent hosts this node avoids for every task for a while, because one of them sent a piece that did not
 * match its digest. Keyed by host id ({@code {ip}-{hostname}}). Thread-safe.
 */
final class ParentBlocklist {
    private final Map<String, Long> untilNanos = new ConcurrentHashMap<>();

    /** Avoids {@code hostId} for {@code period} from now. */
    void avoid(String hostId, Duration period) {
        long until = System.nanoTime() + period.toNanos();
        untilNanos.merge(hostId, until, Math::max);
    }

    boolean avoided(String hostId) {
        Long until = untilNanos.get(hostId);
        if (until == null) {
            return false;
        }
        if (until - System.nanoTime() <= 0) {
            untilNanos.remove(hostId, until);
            return false;
        }
        return true;
    }

    /** Host ids avoided now. */
    Set<String> current() {
        return untilNanos.keySet().stream().filter(this::avoided).collect(Collectors.toUnmodifiableSet());
    }
}
