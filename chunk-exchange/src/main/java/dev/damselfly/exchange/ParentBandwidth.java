package dev.damselfly.exchange;

/**
 * A parent host's network figures as its DfdaemonUpload.SyncHost stream last reported them (spec §2.4: the Host's
 * four {@code Network} bandwidth fields), all in bits per second.
 *
 * @param maxTxBps max_tx_bandwidth: what the parent may upload at most, bits/s (0 = not reported)
 * @param txBps    tx_bandwidth: what it uploads now, bits/s (0 when absent)
 * @param maxRxBps max_rx_bandwidth, bits/s (0 = not reported)
 * @param rxBps    rx_bandwidth: what it downloads now, bits/s (0 when absent)
 */
public record ParentBandwidth(long maxTxBps, long txBps, long maxRxBps, long rxBps) {
    public ParentBandwidth {
        if (maxTxBps < 0 || txBps < 0 || maxRxBps < 0 || rxBps < 0) {
            throw new IllegalArgumentException("bandwidths are bits/s ≥ 0, were max_tx=" + maxTxBps + " tx=" + txBps
                    + " max_rx=" + maxRxBps + " rx=" + rxBps);
        }
    }
}
