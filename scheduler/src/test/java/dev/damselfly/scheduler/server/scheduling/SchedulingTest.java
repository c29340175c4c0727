package dev.damselfly.scheduler.server.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.scheduler.server.Fixtures;
import dev.damselfly.scheduler.server.resource.HostRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Seed choice and the thundering-herd delay (spec §3.7). */
class SchedulingTest {
    private static final long MS = 1_000_000L;

    @Test
    void herdDelayGrowsWithConcurrentRegistrationsAndIsCapped() {
        assertEquals(0, Scheduling.herdDelayNanos(1));
        for (int i = 0; i < 50; i++) {
            long d2 = Scheduling.herdDelayNanos(2);
            assertTrue(d2 >= 15 * MS && d2 <= 30 * MS, "2 in flight: " + d2);
            long d4 = Scheduling.herdDelayNanos(4);
            assertTrue(d4 >= 60 * MS && d4 <= 120 * MS, "4 in flight: " + d4);
            long d30 = Scheduling.herdDelayNanos(30);
            assertTrue(d30 >= 500 * MS && d30 <= 1000 * MS, "30 in flight: " + d30);
        }
    }

    @Test
    void seedChoiceIsStablePerTaskAndSpreadsTasks() {
        List<HostRecord> seeds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            seeds.add(new HostRecord(Fixtures.host("seed" + i, 1, null, null, 1).toBuilder().setIp("10.0.0." + i).build(),
                    2000, 0));
        }
        java.util.Set<String> chosen = new java.util.HashSet<>();
        for (int t = 0; t < 200; t++) {
            String task = "task-" + t;
            HostRecord a = SeedRing.choose(seeds, task).orElseThrow();
            assertEquals(a, SeedRing.choose(List.of(seeds.get(2), seeds.get(0), seeds.get(1)), task).orElseThrow());
            chosen.add(a.id());
        }
        assertEquals(3, chosen.size());
        assertTrue(SeedRing.choose(List.of(), "t").isEmpty());
    }
}
