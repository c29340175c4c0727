package dev.damselfly.e2e.cluster;

/**
 * What one TCP stream carries across a node's shaped link, measured in the same lab right after a scenario's pulls:
 * one layer straight from the registry into the first node's namespace ({@code curl | openssl}, nothing else
 * running), so that the scenario's times can be set against the rate a transfer actually gets through {@code tc} and
 * TCP/IP headers (at a 1500-byte MTU about 4% of the nominal rate), not only against the nominal link rates of T*.
 *
 * @param node    the node whose namespace received it
 * @param bytes   the layer's size
 * @param seconds how long the GET took
 * @param nodeMbit the node link's nominal rate, Mbit/s
 */
record LinkReference(String node, long bytes, double seconds, double nodeMbit) {

    /** GETs the first layer from the registry in the first node's namespace and checks its digest. */
    static LinkReference measure(Cluster c) {
        LabNode node = c.nodes().get(0);
        String digest = c.layers().get(0);
        long bytes = c.config().layerBytes();
        String url = "http://" + c.registry().hostPort() + "/v2/" + Cluster.REPO + "/blobs/" + digest;
        long t0 = System.nanoTime();
        String got = BlobPuller.pullOnce(c.lab(), node, url, BlobPuller.maxSeconds(bytes));
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!got.equals(digest)) {
            throw new PullFailedException(node.name(), url, "CORRUPT: expected " + digest + ", received " + got);
        }
        return new LinkReference(node.name(), bytes, seconds, c.config().nodeMbit());
    }

    /** Payload rate of the reference GET, Mbit/s. */
    double mbit() {
        return bytes * 8 / seconds / 1e6;
    }

    /** The reference rate ÷ the nominal node link rate. */
    double efficiency() {
        return mbit() / nodeMbit;
    }

    /** One note line: the reference and the scenario's p50 against T* at that efficiency. */
    String note(double p50, double lowerBound) {
        double boundAtRate = lowerBound / efficiency();
        return String.format("reference: one GET of a %d MiB layer straight from the registry into %s's namespace, alone "
                        + "on the links, %.1f s: %.1f Mbit/s of payload, %.3f of the %.0f Mbit/s link; T* at that rate "
                        + "%.1f s, p50 ÷ that %.2f", bytes / ScenarioConfig.MIB, node, seconds, mbit(), efficiency(),
                nodeMbit, boundAtRate, p50 / boundAtRate);
    }
}
