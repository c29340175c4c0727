package dev.damselfly.e2e.cluster;

/** A pull through a node's mirror failed or returned bytes whose SHA-256 does not match the layer digest. */
class PullFailedException extends RuntimeException {
    PullFailedException(String node, String url, String detail) {
        super("pull through node=" + node + " url=" + url + " failed: " + detail);
    }
}
