package dev.damselfly.exchange.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.exchange.ParentEndpoint;
import dev.damselfly.exchange.PieceAnnouncement;
import dev.damselfly.scheduler.proto.common.v2.Peer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The §2.4 hold rule and parent choice. */
class ParentSwarmTest {
    private static final long HOLD = TimeUnit.MILLISECONDS.toNanos(100);

    private static ParentSwarm.Parent add(ParentSwarm swarm, String name) {
        return swarm.add(Peer.newBuilder().setId(name + "-peer").build(),
                new ParentEndpoint(name + "-peer", name, "127.0.0.1", 4000));
    }

    private static PieceAnnouncement piece(int n) {
        return new PieceAnnouncement(n, n * 10L, 10, "127.0.0.1", 4005);
    }

    @Test
    void aPieceIsReadyWhenEveryParentReportedItOrAfterTheHold() {
        ParentSwarm swarm = new ParentSwarm();
        ParentSwarm.Parent a = add(swarm, "a");
        ParentSwarm.Parent b = add(swarm, "b");
        long t0 = 1_000_000_000L;
        swarm.announced(a, piece(0), t0);
        assertFalse(swarm.ready(0, t0 + HOLD / 2, HOLD), "only one of two parents reported it");
        assertTrue(swarm.holding(t0 + HOLD / 2, HOLD));
        assertTrue(swarm.ready(0, t0 + HOLD, HOLD), "100 ms after the first report");
        swarm.announced(b, piece(0), t0 + 1);
        assertTrue(swarm.ready(0, t0 + 2, HOLD), "every parent reported it");
        assertFalse(swarm.ready(1, t0 + HOLD * 10, HOLD), "never announced");

        assertEquals(2, swarm.candidates(0, Set.of(), h -> false).size());
        assertEquals(List.of(b), swarm.candidates(0, Set.of("a-peer"), h -> false), "failed parent excluded");
        assertEquals(List.of(a), swarm.candidates(0, Set.of(), h -> h.equals("b")), "avoided host excluded");
        swarm.drop(a);
        assertEquals(List.of(b), swarm.candidates(0, Set.of(), h -> false));
        assertEquals(1, swarm.openStreams());
        swarm.streamEnded(b, false);
        assertEquals(0, swarm.openStreams());
        assertEquals(1, swarm.usable(), "a completed stream leaves the parent usable");
    }

    @Test
    void weightedChoiceFollowsTheWeights() {
        Random random = new Random(42);
        Map<String, Integer> picks = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            String p = WeightedChoice.choose(List.of("light", "heavy"), s -> s.equals("heavy") ? 3 : 1, random);
            picks.merge(p, 1, Integer::sum);
        }
        double heavyShare = picks.get("heavy") / 10_000.0;
        assertTrue(heavyShare > 0.72 && heavyShare < 0.78, "expected ≈ 0.75, got " + heavyShare);
        assertEquals(null, WeightedChoice.choose(List.<String>of(), s -> 1, random));
    }
}
