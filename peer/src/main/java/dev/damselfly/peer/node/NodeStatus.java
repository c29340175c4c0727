package dev.damselfly.peer.node;

import dev.damselfly.piecestore.TaskInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The admin API's JSON views of a running node (plain maps and records, serialised by Jackson). */
final class NodeStatus {
    private final NodeDaemon node;

    NodeStatus(NodeDaemon node) {
        this.node = node;
    }

    Object status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("hostId", node.identity().hostId());
        out.put("ip", node.identity().ip());
        out.put("hostname", node.identity().hostname());
        out.put("version", node.identity().version());
        out.put("startedAt", node.startedAt().toString());
        out.put("uptimeSeconds", Duration.between(node.startedAt(), Instant.now()).toSeconds());
        out.put("ports", node.ports());
        out.put("schedulers", node.schedulerAddresses());
        out.put("embeddedScheduler", node.embeddedScheduler());
        out.put("storedBytes", node.store().storedBytes());
        out.put("tasks", node.store().tasks().size());
        out.put("activeDownloads", node.engine().activeTasks().size());
        out.put("dataDir", node.config().dataDir.toString());
        out.put("mirrorWarmUpBytes", node.mirrorWarmUpBytes());
        return out;
    }

    Object tasks() {
        List<TaskInfo> tasks = node.store().tasks();
        return tasks.stream().map(t -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("taskId", t.taskId());
            m.put("contentLength", t.contentLength());
            m.put("pieceLength", t.pieceLength());
            m.put("pieceCount", t.pieceCount());
            m.put("storedPieces", t.storedPieces());
            m.put("complete", t.complete());
            m.put("pinned", t.pinned());
            m.put("createdAt", t.createdAt().toString());
            m.put("lastAccess", t.lastAccess().toString());
            m.put("downloading", node.engine().activeTasks().contains(t.taskId()));
            return m;
        }).toList();
    }

    Object peers() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("avoidedParentHosts", node.engine().avoidedParentHosts());
        return out;
    }
}
