package dev.damselfly.scheduler.server;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Network;
import dev.damselfly.scheduler.proto.common.v2.Piece;
import dev.damselfly.scheduler.proto.common.v2.Priority;
import dev.damselfly.scheduler.proto.common.v2.TrafficType;
import dev.damselfly.scheduler.server.resource.HostRecord;
import dev.damselfly.scheduler.server.resource.PeerRecord;
import dev.damselfly.scheduler.server.resource.ResourceStore;
import dev.damselfly.scheduler.server.resource.TaskRecord;
import java.time.Instant;

/** Builders shared by the scheduler tests. */
public final class Fixtures {
    public static final long PIECE = 4L << 20;

    private Fixtures() {
    }

    public static Host host(String name, int type, String idc, String location, long maxTxBps) {
        Network.Builder n = Network.newBuilder().setMaxTxBandwidth(maxTxBps).setMaxRxBandwidth(maxTxBps);
        if (idc != null) {
            n.setIdc(idc);
        }
        if (location != null) {
            n.setLocation(location);
        }
        return Host.newBuilder().setId("127.0.0.1-" + name + (type == 1 ? "-seed" : "")).setType(type).setHostname(name)
                .setIp("127.0.0.1").setPort(4000).setDownloadPort(4000).setNetwork(n).build();
    }

    public static HostRecord hostRecord(ResourceStore store, String name) {
        return store.announceHost(host(name, 0, null, null, 10_000_000_000L), System.nanoTime());
    }

    public static PeerRecord peer(ResourceStore store, TaskRecord task, HostRecord host, String id) {
        PeerRecord p = new PeerRecord(id, task, host, Priority.LEVEL0, 8, false, System.nanoTime());
        store.addPeer(p);
        return p;
    }

    /** A valid piece report: cost and created_at set, digest crc32. */
    public static Piece piece(int number, String parentId) {
        Instant now = Instant.now();
        Piece.Builder b = Piece.newBuilder().setNumber(number).setOffset(number * PIECE).setLength(PIECE)
                .setDigest("crc32:" + (1000 + number))
                .setCost(Duration.newBuilder().setNanos(2_000_000))
                .setCreatedAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()));
        if (parentId != null) {
            b.setParentId(parentId).setTrafficType(TrafficType.REMOTE_PEER);
        } else {
            b.setTrafficType(TrafficType.BACK_TO_SOURCE);
        }
        return b.build();
    }
}
