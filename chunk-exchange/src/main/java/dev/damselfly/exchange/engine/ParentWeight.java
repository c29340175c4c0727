package dev.damselfly.exchange.engine;

import dev.damselfly.exchange.ParentBandwidth;
import java.util.Optional;

/**
 * A parent's weight in the per-piece choice (spec §2.4): its free upload bandwidth
 * {@code max(max_tx_bandwidth − tx_bandwidth, max_tx_bandwidth / 10)} in bits/s from its SyncHost figures, so a
 * saturated parent still gets about a tenth of an idle one's share; {@value #DEFAULT_BPS} bits/s (10 Gbps) when its
 * figures are unknown or stale, or report no max_tx_bandwidth (0).
 */
final class ParentWeight {
    /** Weight of a parent without (usable) network figures, bits/s: 10 Gbps, as Dragonfly. */
    static final long DEFAULT_BPS = 10_000_000_000L;

    private ParentWeight() {
    }

    /** The weight in bits/s (0 only for a max_tx_bandwidth below 10 bits/s with the link full). */
    static long of(Optional<ParentBandwidth> figures) {
        if (figures.isEmpty() || figures.get().maxTxBps() <= 0) {
            return DEFAULT_BPS;
        }
        long max = figures.get().maxTxBps();
        long free = max - Math.min(max, figures.get().txBps());
        return Math.max(free, max / 10);
    }
}
