package dev.damselfly.e2e.cluster;

/** A pull through a live node's mirror got no complete answer within its time limit: the node's download stalled. */
final class PullStalledException extends PullFailedException {
    PullStalledException(String node, String url, String detail) {
        super(node, url, "STALLED: " + detail);
    }
}
