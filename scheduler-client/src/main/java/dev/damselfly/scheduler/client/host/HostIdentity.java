package dev.damselfly.scheduler.client.host;

import dev.damselfly.scheduler.client.id.HostIds;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The static part of what a node announces.
 *
 * @param ip the node's data-plane IP (literal address; required)
 * @param hostname the node's host name (required, non-empty)
 * @param seed true for a super seed peer (host type 1), false for a normal peer (type 0); default false
 * @param grpcPort the DfdaemonUpload gRPC port, in [1024, 65535); Dragonfly default 4000. Also sent as
 *        {@code download_port}, as the Rust client does
 * @param proxyPort the HTTP proxy / mirror port; Dragonfly default 4001 (0 = none)
 * @param maxTxBandwidthBps announced upload capacity in bits per second; must be &gt; 0 or a real scheduler
 *        (≥ v2.3.4) scores us 0 on load and rarely picks us as a parent (spec §1.11, §3.6). Default 10 Gbit/s
 * @param maxRxBandwidthBps announced download capacity, bits per second. Default 10 Gbit/s
 * @param location optional location {@code a|b|c|d|e} used for affinity; empty = none
 * @param idc optional IDC name used for affinity; empty = none
 * @param schedulerClusterId the scheduler cluster id; Dragonfly default 1
 * @param disableShared true ⇒ never chosen as a parent; default false
 * @param dataDir directory whose file system is reported as the host's disk
 * @param name the pod-style name {@code ${POD_NAMESPACE}-${POD_NAME}}; empty when not in a pod
 * @param version our build version, sent as Build.git_version
 */
public record HostIdentity(String ip, String hostname, boolean seed, int grpcPort, int proxyPort,
                           long maxTxBandwidthBps, long maxRxBandwidthBps, Optional<String> location,
                           Optional<String> idc, long schedulerClusterId, boolean disableShared, Path dataDir,
                           String name, String version) {
    /** Default announced bandwidth, bits per second (10 Gbit/s). */
    public static final long DEFAULT_BANDWIDTH_BPS = 10_000_000_000L;

    public HostIdentity {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(idc, "idc");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        if (maxTxBandwidthBps <= 0) {
            throw new IllegalArgumentException("maxTxBandwidthBps must be > 0 (a zero bandwidth makes the"
                    + " scheduler ignore this host as a parent), was " + maxTxBandwidthBps);
        }
    }

    /** Identity with defaults: normal host, bandwidth 10 Gbit/s, no location/IDC, cluster 1. */
    public static HostIdentity of(String ip, String hostname, int grpcPort, Path dataDir) {
        return new HostIdentity(ip, hostname, false, grpcPort, 0, DEFAULT_BANDWIDTH_BPS, DEFAULT_BANDWIDTH_BPS,
                Optional.empty(), Optional.empty(), 1, false, dataDir, "", "0.1.0");
    }

    public HostIdentity asSeed(boolean isSeed) {
        return new HostIdentity(ip, hostname, isSeed, grpcPort, proxyPort, maxTxBandwidthBps, maxRxBandwidthBps,
                location, idc, schedulerClusterId, disableShared, dataDir, name, version);
    }

    public HostIdentity withAffinity(String newLocation, String newIdc) {
        return new HostIdentity(ip, hostname, seed, grpcPort, proxyPort, maxTxBandwidthBps, maxRxBandwidthBps,
                Optional.ofNullable(newLocation), Optional.ofNullable(newIdc), schedulerClusterId, disableShared,
                dataDir, name, version);
    }

    public HostIdentity withBandwidth(long txBps, long rxBps) {
        return new HostIdentity(ip, hostname, seed, grpcPort, proxyPort, txBps, rxBps, location, idc,
                schedulerClusterId, disableShared, dataDir, name, version);
    }

    /** The host id, {@code {ip}-{hostname}[-seed]}. */
    public String hostId() {
        return HostIds.hostId(ip, hostname, seed);
    }

    /** Host type on the wire: 1 super seed, 0 normal. */
    public int hostType() {
        return seed ? 1 : 0;
    }
}
