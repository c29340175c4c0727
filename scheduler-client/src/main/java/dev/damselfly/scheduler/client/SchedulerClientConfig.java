package dev.damselfly.scheduler.client;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Client settings. Defaults follow the Rust dfdaemon (spec §1.12-§1.13, §7).
 *
 * @param addresses scheduler addresses {@code host:port} (default port 8002), or {@link #IN_PROCESS_PREFIX} and a
 *        name for a scheduler in this JVM (a node's embedded one); at least one
 * @param announceInterval period of AnnounceHost to every scheduler; default 5 min
 * @param scheduleTimeout longest wait for a scheduler answer on an AnnouncePeer stream; default 3 h
 * @param maxScheduleCount answers accepted per download before giving up on P2P
 *        ("max schedule count exceeded", back to source); default 5
 * @param connectTimeout TCP connect timeout; default 3 s
 * @param requestTimeout deadline of unary calls (AnnounceHost, DeleteTask, DeleteHost, health); default 10 s
 * @param reconnectInitialBackoff first delay before re-opening a broken AnnouncePeer stream; doubles each
 *        attempt; default 200 ms
 * @param reconnectMaxBackoff largest reconnect delay; default 5 s
 * @param maxReconnectAttempts reconnect attempts per broken stream before falling back to the origin;
 *        default 5
 * @param healthRefreshInterval how long a scheduler's health status (grpc.health.v1 Check) is trusted;
 *        default 60 s
 */
public record SchedulerClientConfig(List<String> addresses, Duration announceInterval, Duration scheduleTimeout,
                                    int maxScheduleCount, Duration connectTimeout, Duration requestTimeout,
                                    Duration reconnectInitialBackoff, Duration reconnectMaxBackoff,
                                    int maxReconnectAttempts, Duration healthRefreshInterval) {
    /**
     * Prefix of the address of a scheduler served in this JVM ({@code in-process:NAME}, gRPC's in-process transport:
     * messages are handed over as objects, with no HTTP/2 framing, socket or event loop in between).
     */
    public static final String IN_PROCESS_PREFIX = "in-process:";

    /** Default scheduler gRPC port. */
    public static final int DEFAULT_SCHEDULER_PORT = 8002;

    public SchedulerClientConfig {
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("at least one scheduler address is required");
        }
        Objects.requireNonNull(announceInterval, "announceInterval");
        Objects.requireNonNull(scheduleTimeout, "scheduleTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(reconnectInitialBackoff, "reconnectInitialBackoff");
        Objects.requireNonNull(reconnectMaxBackoff, "reconnectMaxBackoff");
        Objects.requireNonNull(healthRefreshInterval, "healthRefreshInterval");
        if (maxScheduleCount < 1) {
            throw new IllegalArgumentException("maxScheduleCount must be ≥ 1, was " + maxScheduleCount);
        }
        if (maxReconnectAttempts < 0) {
            throw new IllegalArgumentException("maxReconnectAttempts must be ≥ 0, was " + maxReconnectAttempts);
        }
    }

    /** The defaults for these addresses. */
    public static SchedulerClientConfig defaults(List<String> addresses) {
        return new SchedulerClientConfig(addresses, Duration.ofMinutes(5), Duration.ofHours(3), 5,
                Duration.ofSeconds(3), Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(5), 5,
                Duration.ofSeconds(60));
    }

    public SchedulerClientConfig withAnnounceInterval(Duration d) {
        return new SchedulerClientConfig(addresses, d, scheduleTimeout, maxScheduleCount, connectTimeout,
                requestTimeout, reconnectInitialBackoff, reconnectMaxBackoff, maxReconnectAttempts, healthRefreshInterval);
    }

    public SchedulerClientConfig withScheduleTimeout(Duration d) {
        return new SchedulerClientConfig(addresses, announceInterval, d, maxScheduleCount, connectTimeout,
                requestTimeout, reconnectInitialBackoff, reconnectMaxBackoff, maxReconnectAttempts, healthRefreshInterval);
    }

    public SchedulerClientConfig withMaxScheduleCount(int n) {
        return new SchedulerClientConfig(addresses, announceInterval, scheduleTimeout, n, connectTimeout,
                requestTimeout, reconnectInitialBackoff, reconnectMaxBackoff, maxReconnectAttempts, healthRefreshInterval);
    }

    public SchedulerClientConfig withReconnect(Duration initial, Duration max, int attempts) {
        return new SchedulerClientConfig(addresses, announceInterval, scheduleTimeout, maxScheduleCount, connectTimeout,
                requestTimeout, initial, max, attempts, healthRefreshInterval);
    }

    public SchedulerClientConfig withHealthRefreshInterval(Duration d) {
        return new SchedulerClientConfig(addresses, announceInterval, scheduleTimeout, maxScheduleCount, connectTimeout,
                requestTimeout, reconnectInitialBackoff, reconnectMaxBackoff, maxReconnectAttempts, d);
    }
}
