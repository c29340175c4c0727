package dev.damselfly.scheduler.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-task scheduler choice (§1.13). */
class SchedulerRingTest {
    @Test
    void sipHash13ZeroKeyKnownValue() {
        // SipHash-1-3, key 0, empty input, as Rust's DefaultHasher::new().finish() for no writes.
        assertEquals(0xd1fba762150c532cL, SipHash13.hash(new byte[0]));
    }

    @Test
    void choiceDependsOnlyOnTheFirstFiveCharacters() {
        SchedulerRing ring = new SchedulerRing(List.of("10.0.0.1:8002", "10.0.0.2:8002", "10.0.0.3:8002"));
        assertEquals(ring.select("abcde0000"), ring.select("abcde9999"));
        SchedulerRing reordered = new SchedulerRing(List.of("10.0.0.3:8002", "10.0.0.1:8002", "10.0.0.2:8002"));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            String id = dev.damselfly.scheduler.client.id.TaskIds.sha256Hex("task-" + i);
            String a = ring.select(id);
            assertEquals(a, reordered.select(id));
            counts.merge(a, 1, Integer::sum);
        }
        assertEquals(3, counts.size(), counts.toString());
    }

    @Test
    void singleScheduler() {
        SchedulerRing ring = new SchedulerRing(List.of("127.0.0.1:8002"));
        assertEquals("127.0.0.1:8002", ring.select("abc"));
        assertTrue(!ring.isEmpty());
    }
}
