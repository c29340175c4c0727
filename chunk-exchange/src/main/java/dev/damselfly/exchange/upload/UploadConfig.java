package dev.damselfly.exchange.upload;

import dev.damselfly.exchange.vortex.UploadFaults;
import dev.damselfly.exchange.vortex.VortexPieceServer;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@link UploadServer}. Start from {@link #defaults(String, String)} and adjust with the
 * {@code with…} methods.
 *
 * @param hostId               this node's host id ({@code {ip}-{hostname}}), sent as the parent id of served pieces
 * @param bindAddress          address both servers listen on; default {@code 0.0.0.0}
 * @param advertisedIp         the data-plane IP told to children in SyncPieces ({@code ip}); no default
 * @param grpcPort             DfdaemonUpload gRPC port; default {@value #DEFAULT_GRPC_PORT}; 0 = ephemeral
 * @param vortexPort           Vortex TCP piece port; default {@value VortexPieceServer#DEFAULT_PORT}; 0 = ephemeral
 * @param uploadRateLimit      upload limit over all children, bytes per second; default 0 = unlimited
 * @param maxConcurrentUploads pieces served at once; default {@value VortexPieceServer#DEFAULT_MAX_CONCURRENT_UPLOADS}
 * @param maxTxBandwidth       Network.max_tx_bandwidth reported by SyncHost, bits per second; default 0 = derive:
 *                             {@code uploadRateLimit × 8} when limited, else {@value #DEFAULT_BANDWIDTH} (10 Gbps)
 * @param maxRxBandwidth       Network.max_rx_bandwidth reported by SyncHost, bits per second; default 0 =
 *                             {@value #DEFAULT_BANDWIDTH} (10 Gbps)
 * @param faults               TEST-ONLY fault switch of the piece server; default {@link UploadFaults#NONE}
 * @param repeatHold           how long after a copy of a piece ended a request for it is deflected while other pieces
 *                             are being sent ("first copies first", see {@link VortexPieceServer}); default
 *                             {@link VortexPieceServer#DEFAULT_REPEAT_HOLD} (2 s); {@link Duration#ZERO} = never
 */
public record UploadConfig(String hostId, String bindAddress, String advertisedIp, int grpcPort, int vortexPort,
        long uploadRateLimit, int maxConcurrentUploads, long maxTxBandwidth, long maxRxBandwidth,
        UploadFaults faults, Duration repeatHold) {

    /** Dragonfly's DfdaemonUpload gRPC port: 4000. */
    public static final int DEFAULT_GRPC_PORT = 4000;
    /** Bandwidth assumed when none is configured, bits per second: 10 Gbps (what Dragonfly assumes too). */
    public static final long DEFAULT_BANDWIDTH = 10_000_000_000L;

    public UploadConfig {
        Objects.requireNonNull(hostId, "hostId");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(advertisedIp, "advertisedIp");
        Objects.requireNonNull(faults, "faults");
        Objects.requireNonNull(repeatHold, "repeatHold");
        if (repeatHold.isNegative()) {
            throw new IllegalArgumentException("repeatHold must be ≥ 0, was " + repeatHold);
        }
        checkPort(grpcPort, "grpcPort");
        checkPort(vortexPort, "vortexPort");
        if (uploadRateLimit < 0 || maxTxBandwidth < 0 || maxRxBandwidth < 0) {
            throw new IllegalArgumentException("rates must be ≥ 0 (0 = unlimited/derived)");
        }
        if (maxConcurrentUploads < 1) {
            throw new IllegalArgumentException("maxConcurrentUploads must be ≥ 1, was " + maxConcurrentUploads);
        }
    }

    /**
     * Defaults: bind 0.0.0.0, ports 4000 and 4005, no rate limit,
     * {@value VortexPieceServer#DEFAULT_MAX_CONCURRENT_UPLOADS} concurrent uploads, no faults, repeats deflected for
     * 2 s.
     */
    public static UploadConfig defaults(String hostId, String advertisedIp) {
        return new UploadConfig(hostId, "0.0.0.0", advertisedIp, DEFAULT_GRPC_PORT, VortexPieceServer.DEFAULT_PORT, 0,
                VortexPieceServer.DEFAULT_MAX_CONCURRENT_UPLOADS, 0, 0, UploadFaults.NONE,
                VortexPieceServer.DEFAULT_REPEAT_HOLD);
    }

    public UploadConfig withBindAddress(String address) {
        return new UploadConfig(hostId, address, advertisedIp, grpcPort, vortexPort, uploadRateLimit,
                maxConcurrentUploads, maxTxBandwidth, maxRxBandwidth, faults, repeatHold);
    }

    /** Both ports (0 = ephemeral). */
    public UploadConfig withPorts(int grpc, int vortex) {
        return new UploadConfig(hostId, bindAddress, advertisedIp, grpc, vortex, uploadRateLimit,
                maxConcurrentUploads, maxTxBandwidth, maxRxBandwidth, faults, repeatHold);
    }

    /** Upload limit, bytes per second (0 = unlimited). */
    public UploadConfig withUploadRateLimit(long bytesPerSecond) {
        return new UploadConfig(hostId, bindAddress, advertisedIp, grpcPort, vortexPort, bytesPerSecond,
                maxConcurrentUploads, maxTxBandwidth, maxRxBandwidth, faults, repeatHold);
    }

    public UploadConfig withMaxConcurrentUploads(int max) {
        return new UploadConfig(hostId, bindAddress, advertisedIp, grpcPort, vortexPort, uploadRateLimit, max,
                maxTxBandwidth, maxRxBandwidth, faults, repeatHold);
    }

    /** Reported bandwidths, bits per second (0 = derived / default). */
    public UploadConfig withBandwidth(long maxTxBitsPerSecond, long maxRxBitsPerSecond) {
        return new UploadConfig(hostId, bindAddress, advertisedIp, grpcPort, vortexPort, uploadRateLimit,
                maxConcurrentUploads, maxTxBitsPerSecond, maxRxBitsPerSecond, faults, repeatHold);
    }

    /** How long a repeat request is deflected after a copy ended ({@link Duration#ZERO} = never). */
    public UploadConfig withRepeatHold(Duration hold) {
        return new UploadConfig(hostId, bindAddress, advertisedIp, grpcPort, vortexPort, uploadRateLimit,
                maxConcurrentUploads, maxTxBandwidth, maxRxBandwidth, faults, hold);
    }

    /** TEST-ONLY fault switch. */
    public UploadConfig withFaults(UploadFaults f) {
        return new UploadConfig(hostId, bindAddress, advertisedIp, grpcPort, vortexPort, uploadRateLimit,
                maxConcurrentUploads, maxTxBandwidth, maxRxBandwidth, f, repeatHold);
    }

    /** The max_tx_bandwidth SyncHost reports, bits per second (never 0, see {@link #maxTxBandwidth()}). */
    public long effectiveMaxTxBandwidth() {
        if (maxTxBandwidth > 0) {
            return maxTxBandwidth;
        }
        return uploadRateLimit > 0 ? uploadRateLimit * 8 : DEFAULT_BANDWIDTH;
    }

    /** The max_rx_bandwidth SyncHost reports, bits per second (never 0). */
    public long effectiveMaxRxBandwidth() {
        return maxRxBandwidth > 0 ? maxRxBandwidth : DEFAULT_BANDWIDTH;
    }

    private static void checkPort(int port, String name) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(name + " out of range: " + port);
        }
    }
}
