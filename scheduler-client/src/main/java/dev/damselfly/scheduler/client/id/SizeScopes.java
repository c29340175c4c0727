package dev.damselfly.scheduler.client.id;

import dev.damselfly.scheduler.proto.common.v2.SizeScope;

/** The scheduler's size scope (spec §3.4). */
public final class SizeScopes {
    /** Largest TINY task, bytes. */
    public static final long TINY_MAX = 128;

    private SizeScopes() {
    }

    /**
     * Size scope of a task. An unknown length (negative) is reported as NORMAL on the wire (the Go
     * scheduler's UNKNOW=4 is not in the common.v2 enum); 0 → EMPTY; ≤ 128 bytes → TINY;
     * one piece → SMALL; else NORMAL.
     */
    public static SizeScope of(long contentLength, long pieceCount) {
        if (contentLength < 0) {
            return SizeScope.NORMAL;
        }
        if (contentLength == 0) {
            return SizeScope.EMPTY;
        }
        if (contentLength <= TINY_MAX) {
            return SizeScope.TINY;
        }
        if (pieceCount == 1) {
            return SizeScope.SMALL;
        }
        return SizeScope.NORMAL;
    }
}
