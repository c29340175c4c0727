package dev.damselfly.exchange;

import java.util.Objects;

/**
 * A candidate parent as the scheduler names it: where its DfdaemonUpload gRPC service listens.
 *
 * @param peerId the parent's peer id ({@code {ip}-{hostname}-{uuid}})
 * @param hostId the parent's host id ({@code {ip}-{hostname}})
 * @param ip the parent's IP (Host.ip)
 * @param grpcPort the parent's DfdaemonUpload gRPC port (Host.port; Dragonfly default 4000)
 */
public record ParentEndpoint(String peerId, String hostId, String ip, int grpcPort) {
    public ParentEndpoint {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(ip, "ip");
        if (grpcPort <= 0 || grpcPort > 65535) {
            throw new IllegalArgumentException("grpcPort out of range: " + grpcPort);
        }
    }

    /** {@code ip:grpcPort}, for logs. */
    public String address() {
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + grpcPort;
    }
}
