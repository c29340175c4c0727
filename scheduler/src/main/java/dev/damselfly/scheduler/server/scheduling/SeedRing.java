package dev.damselfly.scheduler.server.scheduling;

import dev.damselfly.scheduler.server.resource.HostRecord;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * Seed choice (spec §3.7): a consistent hash over {@code ip:port} of the seed hosts, keyed by task id,
 * with 20 replicas per seed hashed as CRC-32 of {@code decimal(i) ‖ ip:port} (stathat/consistent defaults).
 */
public final class SeedRing {
    /** Points per seed. */
    public static final int REPLICAS = 20;

    private SeedRing() {
    }

    public static Optional<HostRecord> choose(Collection<HostRecord> seeds, String taskId) {
        TreeMap<Long, HostRecord> ring = new TreeMap<>();
        for (HostRecord h : seeds) {
            String key = h.host().getIp() + ":" + h.host().getPort();
            for (int i = 0; i < REPLICAS; i++) {
                ring.put(crc(i + key), h);
            }
        }
        if (ring.isEmpty()) {
            return Optional.empty();
        }
        var e = ring.ceilingEntry(crc(taskId));
        return Optional.of(e != null ? e.getValue() : ring.firstEntry().getValue());
    }

    private static long crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }
}
