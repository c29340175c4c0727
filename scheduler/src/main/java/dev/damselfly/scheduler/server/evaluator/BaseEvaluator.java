package dev.damselfly.scheduler.server.evaluator;

import dev.damselfly.scheduler.proto.common.v2.Network;
import dev.damselfly.scheduler.server.resource.HostRecord;
import dev.damselfly.scheduler.server.resource.PeerRecord;

/**
 * Dragonfly's legacy default evaluator (scheduler ≤ v2.3.3): 0.2·Pieces + 0.2·UploadSuccess +
 * 0.15·FreeUpload + 0.15·HostType + 0.15·IDC + 0.15·Location.
 */
public final class BaseEvaluator implements Evaluator {
    public static final double PIECES_WEIGHT = 0.2;
    public static final double UPLOAD_SUCCESS_WEIGHT = 0.2;
    public static final double FREE_UPLOAD_WEIGHT = 0.15;
    public static final double HOST_TYPE_WEIGHT = 0.15;
    public static final double IDC_WEIGHT = 0.15;
    public static final double LOCATION_WEIGHT = 0.15;

    @Override
    public double evaluate(PeerRecord parent, PeerRecord child, long totalPieceCount) {
        Network pn = parent.host().host().getNetwork();
        Network cn = child.host().host().getNetwork();
        return PIECES_WEIGHT * pieces(parent, child, totalPieceCount)
                + UPLOAD_SUCCESS_WEIGHT * uploadSuccess(parent.host())
                + FREE_UPLOAD_WEIGHT * freeUpload(parent.host())
                + HOST_TYPE_WEIGHT * Evaluator.hostTypeScore(parent)
                + IDC_WEIGHT * Evaluator.idcAffinity(pn.getIdc(), cn.getIdc())
                + LOCATION_WEIGHT * Evaluator.locationAffinity(pn.getLocation(), cn.getLocation());
    }

    /** finished/total, or parentFinished − childFinished when the total is unknown. */
    public static double pieces(PeerRecord parent, PeerRecord child, long totalPieceCount) {
        int pf = parent.finishedPieceCount();
        if (totalPieceCount > 0) {
            return (double) pf / totalPieceCount;
        }
        return pf - child.finishedPieceCount();
    }

    /** (uploads − failed) / uploads; 1 when nothing was uploaded; 0 when failures exceed uploads. */
    public static double uploadSuccess(HostRecord h) {
        long count = h.uploadCount();
        long failed = h.uploadFailedCount();
        if (count == 0 && failed == 0) {
            return 1;
        }
        if (failed > count) {
            return 0;
        }
        return (double) (count - failed) / count;
    }

    /** Free upload slots / upload limit. */
    public static double freeUpload(HostRecord h) {
        return h.uploadLimit() == 0 ? 0 : (double) h.freeUploadSlots() / h.uploadLimit();
    }
}
