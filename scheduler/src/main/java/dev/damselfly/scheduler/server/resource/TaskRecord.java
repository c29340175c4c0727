package dev.damselfly.scheduler.server.resource;

import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.TaskType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One task and its peers. Mutable state is guarded by the record's own monitor ({@code synchronized (task)}).
 */
public final class TaskRecord {
    private final String id;
    private final Map<String, PeerRecord> peers = new LinkedHashMap<>();
    private final List<PeerRecord> peerList = new ArrayList<>();
    private final Set<String> backToSourcePeers = new HashSet<>();
    private final long createdAtNanos;
    private Download download;
    private TaskType type = TaskType.STANDARD;
    private long contentLength = -1;
    private long pieceLength;
    private long pieceCount;
    private TaskState state = TaskState.PENDING;
    private long updatedAtNanos;
    private long seedTriggeredAtNanos = Long.MIN_VALUE;
    private long seedFailedAtNanos = Long.MIN_VALUE;

    public TaskRecord(String id, long nowNanos) {
        this.id = id;
        this.createdAtNanos = nowNanos;
        this.updatedAtNanos = nowNanos;
    }

    public String id() {
        return id;
    }

    public synchronized Download download() {
        return download;
    }

    /** Takes the task description and known lengths from a registration (actual_* fields first). */
    public synchronized void absorb(Download d, long nowNanos) {
        if (download == null) {
            download = d;
            type = d.getType();
        }
        if (contentLength < 0 && d.hasActualContentLength()) {
            contentLength = d.getActualContentLength();
        }
        if (pieceLength == 0 && d.hasActualPieceLength()) {
            pieceLength = d.getActualPieceLength();
        } else if (pieceLength == 0 && d.hasPieceLength()) {
            pieceLength = d.getPieceLength();
        }
        if (pieceCount == 0 && d.hasActualPieceCount()) {
            pieceCount = d.getActualPieceCount();
        }
        if (pieceCount == 0 && contentLength > 0 && pieceLength > 0) {
            pieceCount = (contentLength + pieceLength - 1) / pieceLength;
        }
        updatedAtNanos = nowNanos;
    }

    public synchronized TaskType type() {
        return type;
    }

    /** Content length in bytes, −1 when unknown. */
    public synchronized long contentLength() {
        return contentLength;
    }

    public synchronized void setContentLength(long v) {
        contentLength = v;
    }

    public synchronized long pieceLength() {
        return pieceLength;
    }

    public synchronized long pieceCount() {
        return pieceCount;
    }

    public synchronized void setPieceCount(long v) {
        pieceCount = v;
    }

    public synchronized TaskState state() {
        return state;
    }

    public synchronized void setState(TaskState s) {
        state = s;
    }

    public synchronized long updatedAtNanos() {
        return updatedAtNanos;
    }

    public synchronized void touch(long nowNanos) {
        updatedAtNanos = nowNanos;
    }

    public long createdAtNanos() {
        return createdAtNanos;
    }

    public synchronized PeerRecord peer(String peerId) {
        return peers.get(peerId);
    }

    public synchronized void addPeer(PeerRecord p) {
        PeerRecord old = peers.put(p.id(), p);
        if (old != null) {
            peerList.remove(old);
        }
        peerList.add(p);
    }

    public synchronized void removePeer(PeerRecord p) {
        if (peers.remove(p.id(), p)) {
            peerList.remove(p);
        }
        backToSourcePeers.remove(p.id());
    }

    /** Peers in registration order (live view: only under the task monitor). */
    public List<PeerRecord> peersView() {
        return peerList;
    }

    public synchronized int peerCount() {
        return peers.size();
    }

    public synchronized List<PeerRecord> peersSnapshot() {
        return List.copyOf(peerList);
    }

    public synchronized Set<String> backToSourcePeers() {
        return backToSourcePeers;
    }

    public synchronized boolean canBackToSource(int limit) {
        return type != TaskType.PERSISTENT_CACHE && backToSourcePeers.size() < limit;
    }

    public synchronized long seedTriggeredAtNanos() {
        return seedTriggeredAtNanos;
    }

    public synchronized void markSeedTriggered(long nowNanos) {
        seedTriggeredAtNanos = nowNanos;
    }

    public synchronized long seedFailedAtNanos() {
        return seedFailedAtNanos;
    }

    public synchronized void markSeedFailed(long nowNanos) {
        seedFailedAtNanos = nowNanos;
    }

    /**
     * True when some peer on another host can serve: Running, BackToSource or Succeeded (spec §3.7 "available
     * peer").
     */
    /**
     * True when a peer of this task on another host has been told (or is about to be told) to download from the
     * origin but has not started yet: it is registered ({@code RECEIVED_NORMAL}) with its back-to-source flag set,
     * its first scheduling attempt still pending (for example behind the thundering-herd delay). A peer that
     * registers meanwhile waits for it as a parent instead of going to the origin as well.
     */
    public synchronized boolean hasSourcePending(String excludeHostId) {
        return pendingSource(excludeHostId) != null;
    }

    /** The peer {@link #hasSourcePending} finds, or null. */
    public synchronized PeerRecord pendingSource(String excludeHostId) {
        for (PeerRecord p : peerList) {
            if (!p.host().id().equals(excludeHostId) && p.state() == PeerState.RECEIVED_NORMAL
                    && p.backToSourceFlag()) {
                return p;
            }
        }
        return null;
    }

    public synchronized boolean hasAvailablePeer(String excludeHostId) {
        for (PeerRecord p : peerList) {
            PeerState s = p.state();
            if (!p.host().id().equals(excludeHostId)
                    && (s == PeerState.RUNNING || s == PeerState.BACK_TO_SOURCE || s == PeerState.SUCCEEDED)) {
                return true;
            }
        }
        return false;
    }
}
