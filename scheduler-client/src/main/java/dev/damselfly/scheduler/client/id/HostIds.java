package dev.damselfly.scheduler.client.id;

import java.util.UUID;

/**
 * Host and peer ids (spec §3.2): host {@code {ip}-{hostname}[-seed]}, peer
 * {@code {ip}-{hostname}-{uuid-v4}[-seed]}; a new peer id for every download.
 */
public final class HostIds {
    /** Suffix marking a seed host or peer. */
    public static final String SEED_SUFFIX = "-seed";

    private HostIds() {
    }

    public static String hostId(String ip, String hostname, boolean seed) {
        return ip + "-" + hostname + (seed ? SEED_SUFFIX : "");
    }

    /** A fresh peer id with a random UUID v4. */
    public static String peerId(String ip, String hostname, boolean seed) {
        return peerId(ip, hostname, UUID.randomUUID(), seed);
    }

    public static String peerId(String ip, String hostname, UUID uuid, boolean seed) {
        return ip + "-" + hostname + "-" + uuid + (seed ? SEED_SUFFIX : "");
    }
}
