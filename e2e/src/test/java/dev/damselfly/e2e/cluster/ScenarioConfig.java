package dev.damselfly.e2e.cluster;

/**
 * The size of one scenario run.
 *
 * @param nodes        N, how many {@code damselfly node}s (issue: 8; tests: 3)
 * @param layers       layers in the image (issue: 4)
 * @param layerBytes   bytes of random data per layer (issue: 256 MiB)
 * @param registryMbit the registry's link, both directions, Mbit/s (issue: 200)
 * @param nodeMbit     each node's link, both directions, Mbit/s (issue: 100)
 * @param staggerMillis delay between successive nodes' pull starts, ms (0 = all at once)
 * @param parentGraph  the scheduler's {@code --parent-graph}: {@value #MESH} (its default) or {@value #DAG}
 *                     (Dragonfly's rule)
 */
record ScenarioConfig(int nodes, int layers, long layerBytes, double registryMbit, double nodeMbit, long staggerMillis,
                      String parentGraph) {
    static final long MIB = 1L << 20;
    /** The scheduler's default parent graph: peers of a task may serve each other. */
    static final String MESH = "MESH";
    /** Dragonfly's parent graph: no edge that closes a cycle. */
    static final String DAG = "DAG";

    ScenarioConfig {
        if (!parentGraph.equals(MESH) && !parentGraph.equals(DAG)) {
            throw new IllegalArgumentException("parent graph is MESH or DAG, was " + parentGraph);
        }
    }

    /** A run under the scheduler's default parent graph ({@value #MESH}). */
    ScenarioConfig(int nodes, int layers, long layerBytes, double registryMbit, double nodeMbit, long staggerMillis) {
        this(nodes, layers, layerBytes, registryMbit, nodeMbit, staggerMillis, MESH);
    }

    /** The full size: 8 nodes, 4 × 256 MiB, registry 200 Mbit/s, nodes 100 Mbit/s, all at once. */
    static ScenarioConfig full() {
        return new ScenarioConfig(8, 4, 256 * MIB, 200, 100, 0);
    }

    /** F, the image's bytes. */
    long imageBytes() {
        return layers * layerBytes;
    }

    ScenarioConfig withNodes(int n) {
        return new ScenarioConfig(n, layers, layerBytes, registryMbit, nodeMbit, staggerMillis, parentGraph);
    }

    ScenarioConfig withLayerBytes(long bytes) {
        return new ScenarioConfig(nodes, layers, bytes, registryMbit, nodeMbit, staggerMillis, parentGraph);
    }

    ScenarioConfig withStagger(long millis) {
        return new ScenarioConfig(nodes, layers, layerBytes, registryMbit, nodeMbit, millis, parentGraph);
    }

    ScenarioConfig withParentGraph(String graph) {
        return new ScenarioConfig(nodes, layers, layerBytes, registryMbit, nodeMbit, staggerMillis, graph);
    }

    /**
     * The P2P lower bound T* = max(F/u_s, F/d, N·F/(u_s + Σu_i)) in seconds: the registry must send F once, every
     * node must receive F, and the N·F bytes received come out of the total upload capacity.
     */
    double lowerBoundSeconds() {
        double bits = imageBytes() * 8.0;
        double us = registryMbit * 1e6;
        double d = nodeMbit * 1e6;
        double sumUi = nodes * nodeMbit * 1e6;
        return Math.max(Math.max(bits / us, bits / d), nodes * bits / (us + sumUi));
    }

    /** One line for reports, e.g. "N = 8, 4 × 256 MiB, registry 200 Mbit/s, nodes 100 Mbit/s". */
    String describe() {
        return "N = " + nodes + ", " + layers + " × " + (layerBytes / MIB) + " MiB (F = " + (imageBytes() / MIB)
                + " MiB), registry link " + fmt(registryMbit) + " Mbit/s, node links " + fmt(nodeMbit) + " Mbit/s"
                + (staggerMillis > 0 ? ", starts " + staggerMillis + " ms apart" : ", all starting at once")
                + (parentGraph.equals(DAG) ? ", scheduler with Dragonfly's DAG of parents (--parent-graph DAG)" : "");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
