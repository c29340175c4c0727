package dev.damselfly.peer.node.mounts;

/**
 * How a node-hosted mount reads chunks the node does not have yet (the request's {@code "nodeReads"}).
 */
public enum NodeReads {
    /**
     * Default: {@link #PIECES} when the node's schedulers know other hosts (peers a piece could be shared with),
     * {@link #RANGES_WHEN_COLD} when the node is alone (nothing it fetched could serve anyone else, so it reads what
     * the mount reads and no more, as nydusd would). Decided once, when the mount starts.
     */
    AUTO,
    /**
     * Every read goes through the node's download engine, which fetches the whole pieces (4 MiB or more) covering
     * it, from peers or the registry, stores them and shares them with peers.
     */
    PIECES,
    /**
     * A read the node cannot serve without starting a download (no stored pieces cover it, and no download of the blob
     * is under way on the node) takes exactly its range from the registry, neither stored nor shared; every other
     * read goes through the engine as with {@link #PIECES}. Fewer bytes and no piece wait for a cold start on a
     * cluster where no node holds the image; no P2P for what is read that way.
     */
    RANGES_WHEN_COLD
}
