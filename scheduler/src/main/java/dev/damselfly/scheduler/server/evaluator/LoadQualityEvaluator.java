package dev.damselfly.scheduler.server.evaluator;

import dev.damselfly.scheduler.proto.common.v2.Network;
import dev.damselfly.scheduler.server.resource.HostRecord;
import dev.damselfly.scheduler.server.resource.PeerRecord;

/**
 * Dragonfly's evaluator since scheduler v2.3.4: 0.6·Load + 0.2·IDC + 0.1·Location + 0.1·HostType, with
 * Load = 0.5·Peak + 0.3·Duration + 0.2·Concurrency (all 0 when the parent announces no max_tx_bandwidth).
 */
public final class LoadQualityEvaluator implements Evaluator {
    public static final double LOAD_WEIGHT = 0.6;
    public static final double IDC_WEIGHT = 0.2;
    public static final double LOCATION_WEIGHT = 0.1;
    public static final double HOST_TYPE_WEIGHT = 0.1;
    /** Window of the duration term, seconds. */
    public static final double DURATION_WINDOW_SECONDS = 60;
    /** Piece size used for the concurrency need, bytes (16 MiB). */
    public static final long CONCURRENCY_PIECE_BYTES = 16L << 20;

    @Override
    public double evaluate(PeerRecord parent, PeerRecord child, long totalPieceCount) {
        Network pn = parent.host().host().getNetwork();
        Network cn = child.host().host().getNetwork();
        return LOAD_WEIGHT * load(parent.host())
                + IDC_WEIGHT * Evaluator.idcAffinity(pn.getIdc(), cn.getIdc())
                + LOCATION_WEIGHT * Evaluator.locationAffinity(pn.getLocation(), cn.getLocation())
                + HOST_TYPE_WEIGHT * Evaluator.hostTypeScore(parent);
    }

    public static double load(HostRecord h) {
        long maxTx = h.host().getNetwork().getMaxTxBandwidth();
        if (maxTx == 0) {
            return 0;
        }
        return 0.5 * peak(h, maxTx) + 0.3 * duration(h, maxTx) + 0.2 * concurrency(h, maxTx);
    }

    static double peak(HostRecord h, long maxTx) {
        long tx = h.txBandwidthBps();
        return tx >= maxTx ? 0 : 1 - (double) tx / maxTx;
    }

    static double duration(HostRecord h, long maxTx) {
        long uploaded = h.uploadContentLength();
        if (uploaded == 0) {
            return 1;
        }
        double fraction = uploaded * 8.0 / maxTx / DURATION_WINDOW_SECONDS;
        return fraction >= 1 ? 0 : 1 - fraction;
    }

    static double concurrency(HostRecord h, long maxTx) {
        double needed = (double) maxTx / (CONCURRENCY_PIECE_BYTES * 8);
        if (needed <= 1) {
            return 0;
        }
        int count = h.concurrentUploadPieceCount();
        if (count == 0) {
            return 1;
        }
        double ratio = count / needed;
        return ratio <= 1 ? 1 : 1 / ratio;
    }
}
