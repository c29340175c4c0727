package dev.damselfly.e2e.cluster;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls a blob through a node's registry mirror from inside the node's namespace (where containerd would run):
 * {@code curl -sSf URL | openssl dgst -sha256 -r}, so the bytes cross only the node's own (shaped) link to itself,
 * never the test JVM. Returns the SHA-256 of what arrived. (openssl hashes with the CPU's SHA instructions, which
 * coreutils' sha256sum does not use: on a small machine the clients' hashing competes with the nodes measured.)
 */
final class BlobPuller {
    /** Longest one GET may take: 15 min (a 256 MiB layer at 100 Mbit/s needs ~22 s). */
    static final int MAX_TIME_SECONDS = 900;

    private static final Logger LOG = LoggerFactory.getLogger(BlobPuller.class);

    private BlobPuller() {
    }

    /** One GET: the digest of the bytes received ({@code sha256:…}); throws {@link PullFailedException} on error. */
    static String pullOnce(NetworkLab lab, LabNode node, String url) {
        String script = "set -o pipefail; curl -sSf --max-time " + MAX_TIME_SECONDS + " '" + url + "' | openssl dgst -sha256 -r";
        Shell.Result r = Shell.tryRun(lab.inside(node.host(), List.of("bash", "-c", script)));
        if (r.exitCode() != 0) {
            throw new PullFailedException(node.name(), url, "exit " + r.exitCode() + ": " + r.stderr().strip());
        }
        return "sha256:" + r.stdout().trim().split("\\s+")[0];
    }

    /**
     * GETs until the bytes match {@code digest} or {@code attempts} GETs failed (a node killed mid-transfer fails
     * the GET; the next one goes to the restarted node, as containerd retries). A digest mismatch is never retried.
     *
     * @return how many GETs it took
     */
    static int pull(NetworkLab lab, LabNode node, String url, String digest, int attempts) throws InterruptedException {
        PullFailedException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            String got;
            try {
                got = pullOnce(lab, node, url);
            } catch (PullFailedException e) {
                last = e;
                LOG.info("pull failed node={} url={} attempt={} error={}", node.name(), url, attempt, e.getMessage());
                Thread.sleep(1000);
                continue;
            }
            if (!got.equals(digest)) {
                throw new PullFailedException(node.name(), url, "CORRUPT: expected " + digest + ", received " + got);
            }
            return attempt;
        }
        throw last;
    }
}
