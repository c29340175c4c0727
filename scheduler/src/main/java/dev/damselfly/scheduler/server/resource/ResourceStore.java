package dev.damselfly.scheduler.server.resource;

import dev.damselfly.scheduler.proto.common.v2.Host;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** All hosts, tasks and peers known to the scheduler, with expiry. Thread-safe. */
public final class ResourceStore {
    private static final Logger LOG = LoggerFactory.getLogger(ResourceStore.class);

    private final Map<String, HostRecord> hosts = new ConcurrentHashMap<>();
    private final Map<String, TaskRecord> tasks = new ConcurrentHashMap<>();
    private final Map<String, PeerRecord> peers = new ConcurrentHashMap<>();
    private final int normalUploadLimit;
    private final int seedUploadLimit;

    /**
     * @param normalUploadLimit upload slots of a normal host
     * @param seedUploadLimit upload slots of a seed host
     */
    public ResourceStore(int normalUploadLimit, int seedUploadLimit) {
        this.normalUploadLimit = normalUploadLimit;
        this.seedUploadLimit = seedUploadLimit;
    }

    /** Stores or refreshes an announced host. */
    public HostRecord announceHost(Host host, long nowNanos) {
        return hosts.compute(host.getId(), (id, old) -> {
            if (old == null) {
                LOG.info("host announced host_id={} ip={} type={} max_tx_bps={}", id, host.getIp(), host.getType(),
                        host.getNetwork().getMaxTxBandwidth());
                return new HostRecord(host, host.getType() != 0 ? seedUploadLimit : normalUploadLimit, nowNanos);
            }
            old.update(host, nowNanos);
            return old;
        });
    }

    public HostRecord host(String id) {
        return hosts.get(id);
    }

    public Collection<HostRecord> hosts() {
        return hosts.values();
    }

    public TaskRecord task(String id) {
        return tasks.get(id);
    }

    public TaskRecord taskOrCreate(String id, long nowNanos) {
        return tasks.computeIfAbsent(id, k -> new TaskRecord(k, nowNanos));
    }

    public Collection<TaskRecord> tasks() {
        return tasks.values();
    }

    public PeerRecord peer(String id) {
        return peers.get(id);
    }

    public int peerCount() {
        return peers.size();
    }

    /** Adds a peer (replacing one with the same id, whose edges are dropped). Caller holds no task lock. */
    public void addPeer(PeerRecord p) {
        PeerRecord old = peers.put(p.id(), p);
        if (old != null) {
            detach(old);
        }
        synchronized (p.task()) {
            p.task().addPeer(p);
        }
        p.host().peerIds().add(p.id());
    }

    /** Forgets a peer: its edges, its task membership and its host membership. */
    public void removePeer(PeerRecord p) {
        if (peers.remove(p.id(), p)) {
            detach(p);
        }
    }

    private void detach(PeerRecord p) {
        synchronized (p.task()) {
            TaskDag.removeAllEdges(p);
            p.task().removePeer(p);
        }
        p.host().peerIds().remove(p.id());
    }

    /** Forgets a host and every peer on it. */
    public HostRecord removeHost(String hostId) {
        HostRecord h = hosts.remove(hostId);
        if (h != null) {
            for (String pid : List.copyOf(h.peerIds())) {
                PeerRecord p = peers.get(pid);
                if (p != null) {
                    removePeer(p);
                }
            }
            LOG.info("host removed host_id={}", hostId);
        }
        return h;
    }

    /** Removes the task if it has no peers left. */
    public void removeTaskIfEmpty(TaskRecord t) {
        synchronized (t) {
            if (t.peerCount() == 0) {
                tasks.remove(t.id(), t);
            }
        }
    }

    /**
     * One expiry sweep: hosts not announced within hostTtl (with their peers), peers that left or failed, peers
     * not updated within peerTtl, empty tasks not updated within taskTtl.
     *
     * @return the number of hosts, peers and tasks removed
     */
    public int[] expire(long nowNanos, long hostTtlNanos, long peerTtlNanos, long taskTtlNanos) {
        int h = 0;
        int p = 0;
        int t = 0;
        for (HostRecord host : new ArrayList<>(hosts.values())) {
            if (nowNanos - host.announcedAtNanos() > hostTtlNanos) {
                p += host.peerIds().size();
                removeHost(host.id());
                LOG.info("host expired host_id={}", host.id());
                h++;
            }
        }
        for (PeerRecord peer : new ArrayList<>(peers.values())) {
            PeerState st = peer.state();
            if (st == PeerState.LEAVE || st == PeerState.FAILED) {
                removePeer(peer);
                LOG.info("peer dropped task_id={} peer_id={} host_id={} state={}", peer.task().id(), peer.id(),
                        peer.host().id(), st.wireName());
                p++;
            } else if (nowNanos - peer.updatedAtNanos() > peerTtlNanos) {
                removePeer(peer);
                LOG.info("peer expired task_id={} peer_id={} host_id={}", peer.task().id(), peer.id(), peer.host().id());
                p++;
            }
        }
        for (TaskRecord task : new ArrayList<>(tasks.values())) {
            synchronized (task) {
                if (task.peerCount() == 0 && nowNanos - task.updatedAtNanos() > taskTtlNanos) {
                    tasks.remove(task.id(), task);
                    LOG.info("task expired task_id={}", task.id());
                    t++;
                }
            }
        }
        return new int[] {h, p, t};
    }
}
