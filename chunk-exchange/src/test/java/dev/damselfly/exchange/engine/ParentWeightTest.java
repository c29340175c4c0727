package dev.damselfly.exchange.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.exchange.ParentBandwidth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Spec §2.4's parent weight and what it does to the per-piece choice. */
class ParentWeightTest {
    private static final long GBPS = 1_000_000_000L;

    private static Optional<ParentBandwidth> figures(long maxTx, long tx) {
        return Optional.of(new ParentBandwidth(maxTx, tx, 0, 0));
    }

    @Test
    void knownFiguresGiveTheFreeUploadBandwidthWithATenthAsFloor() {
        assertEquals(GBPS, ParentWeight.of(figures(GBPS, 0)), "idle: the whole link");
        assertEquals(700_000_000L, ParentWeight.of(figures(GBPS, 300_000_000L)), "max − tx");
        assertEquals(100_000_000L, ParentWeight.of(figures(GBPS, 950_000_000L)), "never below max/10");
        assertEquals(100_000_000L, ParentWeight.of(figures(GBPS, GBPS)), "saturated: max/10");
        assertEquals(100_000_000L, ParentWeight.of(figures(GBPS, 5 * GBPS)), "tx above max: max/10, no overflow");
        assertEquals(Long.MAX_VALUE, ParentWeight.of(figures(Long.MAX_VALUE, 0)));
    }

    @Test
    void unknownFiguresWeighTenGbps() {
        assertEquals(10_000_000_000L, ParentWeight.DEFAULT_BPS);
        assertEquals(ParentWeight.DEFAULT_BPS, ParentWeight.of(Optional.empty()), "no SyncHost figures");
        assertEquals(ParentWeight.DEFAULT_BPS, ParentWeight.of(figures(0, 0)), "no max_tx_bandwidth reported");
    }

    @Test
    void aBusyParentGetsAboutATenthOfAnIdleOnesShare() {
        Map<String, Optional<ParentBandwidth>> parents = Map.of(
                "idle", figures(GBPS, 0),
                "busy", figures(GBPS, GBPS));
        Random random = new Random(7);
        Map<String, Integer> picks = new TreeMap<>();
        int rounds = 20_000;
        for (int i = 0; i < rounds; i++) {
            String p = WeightedChoice.choose(List.of("idle", "busy"), s -> ParentWeight.of(parents.get(s)), random);
            picks.merge(p, 1, Integer::sum);
        }
        double ratio = picks.get("busy") / (double) picks.get("idle");
        assertTrue(ratio > 0.08 && ratio < 0.12, "busy/idle ≈ 1/10, got " + ratio + " " + picks);

        // a parent whose figures are unknown competes at 10 Gbps: against a 1 Gbps idle parent it takes ≈ 10/11
        int unknown = 0;
        for (int i = 0; i < rounds; i++) {
            String p = WeightedChoice.choose(List.of("idle", "unknown"),
                    s -> ParentWeight.of(s.equals("idle") ? figures(GBPS, 0) : Optional.empty()), random);
            unknown += p.equals("unknown") ? 1 : 0;
        }
        double share = unknown / (double) rounds;
        assertTrue(share > 0.89 && share < 0.93, "expected ≈ 0.909, got " + share);
    }
}
