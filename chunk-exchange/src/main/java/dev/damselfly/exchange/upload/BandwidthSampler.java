package dev.damselfly.exchange.upload;

import dev.damselfly.scheduler.proto.common.v2.Host;
import dev.damselfly.scheduler.proto.common.v2.Network;
import java.util.function.LongSupplier;

/**
 * Turns the cumulative upload and download byte counters into the four Network bandwidth fields SyncHost sends
 * (bits per second). {@link #sample()} is called about once a second by the {@link UploadServer}'s timer; the rate
 * is the counter's growth since the previous sample. Thread-safe.
 */
final class BandwidthSampler {
    private final long maxTx;
    private final long maxRx;
    private final LongSupplier txBytes;
    private final LongSupplier rxBytes;
    private long lastTx;
    private long lastRx;
    private long lastNanos;
    private volatile long txBps;
    private volatile long rxBps;

    /**
     * @param maxTx   max_tx_bandwidth, bits/s
     * @param maxRx   max_rx_bandwidth, bits/s
     * @param txBytes total bytes uploaded so far
     * @param rxBytes total bytes downloaded so far
     */
    BandwidthSampler(long maxTx, long maxRx, LongSupplier txBytes, LongSupplier rxBytes) {
        this.maxTx = maxTx;
        this.maxRx = maxRx;
        this.txBytes = txBytes;
        this.rxBytes = rxBytes;
        this.lastTx = txBytes.getAsLong();
        this.lastRx = rxBytes.getAsLong();
        this.lastNanos = System.nanoTime();
    }

    synchronized void sample() {
        long now = System.nanoTime();
        long tx = txBytes.getAsLong();
        long rx = rxBytes.getAsLong();
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        txBps = (long) (Math.max(0, tx - lastTx) * 8 / seconds);
        rxBps = (long) (Math.max(0, rx - lastRx) * 8 / seconds);
        lastTx = tx;
        lastRx = rx;
        lastNanos = now;
    }

    /** A Host carrying only the four bandwidth fields, as Dragonfly's SyncHost sends it. */
    Host host() {
        return Host.newBuilder().setNetwork(Network.newBuilder()
                .setMaxTxBandwidth(maxTx).setTxBandwidth(txBps)
                .setMaxRxBandwidth(maxRx).setRxBandwidth(rxBps)).build();
    }
}
