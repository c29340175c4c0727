package dev.damselfly.scheduler.server.scheduling;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.damselfly.scheduler.client.id.SizeScopes;
import dev.damselfly.scheduler.proto.common.v2.Download;
import dev.damselfly.scheduler.proto.common.v2.Peer;
import dev.damselfly.scheduler.proto.common.v2.Task;
import dev.damselfly.scheduler.server.resource.PeerRecord;
import dev.damselfly.scheduler.server.resource.TaskRecord;

/** Resources as {@code common.v2} messages (candidate parents carry no pieces, spec §1.4). */
public final class Views {
    private static final long START_WALL_NANOS = System.currentTimeMillis() * 1_000_000L;
    private static final long START_MONO_NANOS = System.nanoTime();

    private Views() {
    }

    public static Peer peer(PeerRecord p) {
        long avgCost = 0;
        var costs = p.pieceCostsNanos();
        if (!costs.isEmpty()) {
            long sum = 0;
            for (long c : costs) {
                sum += c;
            }
            avgCost = sum / costs.size();
        }
        return Peer.newBuilder()
                .setId(p.id())
                .setPriority(p.priority())
                .setCost(duration(avgCost))
                .setState(p.state().wireName())
                .setTask(task(p.task()))
                .setHost(p.host().host())
                .setNeedBackToSource(p.needBackToSource())
                .setCreatedAt(timestamp(p.createdAtNanos()))
                .setUpdatedAt(timestamp(p.updatedAtNanos()))
                .setConcurrentPieceCount(p.concurrentPieceCount())
                .build();
    }

    public static Task task(TaskRecord t) {
        synchronized (t) {
            Task.Builder b = Task.newBuilder().setId(t.id()).setType(t.type())
                    .setContentLength(Math.max(0, t.contentLength()))
                    .setPieceCount((int) t.pieceCount())
                    .setSizeScope(SizeScopes.of(t.contentLength(), t.pieceCount()))
                    .setState(t.state().wireName())
                    .setPeerCount(t.peerCount())
                    .setHasAvailablePeer(t.hasAvailablePeer(""))
                    .setCreatedAt(timestamp(t.createdAtNanos()))
                    .setUpdatedAt(timestamp(t.updatedAtNanos()));
            Download d = t.download();
            if (d != null) {
                b.setUrl(d.getUrl()).addAllFilteredQueryParams(d.getFilteredQueryParamsList())
                        .putAllRequestHeader(d.getRequestHeaderMap());
                if (d.hasDigest()) {
                    b.setDigest(d.getDigest());
                }
                if (d.hasTag()) {
                    b.setTag(d.getTag());
                }
                if (d.hasApplication()) {
                    b.setApplication(d.getApplication());
                }
            }
            return b.build();
        }
    }

    public static Duration duration(long nanos) {
        return Duration.newBuilder().setSeconds(nanos / 1_000_000_000L).setNanos((int) (nanos % 1_000_000_000L)).build();
    }

    /** Converts a System.nanoTime() instant to wall-clock time. */
    public static Timestamp timestamp(long monoNanos) {
        long wall = START_WALL_NANOS + (monoNanos - START_MONO_NANOS);
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(wall, 1_000_000_000L))
                .setNanos((int) Math.floorMod(wall, 1_000_000_000L)).build();
    }
}
