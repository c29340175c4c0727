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
    /** Shortest time limit of one GET: 120 s (a 12 MiB layer of the reduced scenarios needs about 1 s). */
    static final int MIN_MAX_TIME_SECONDS = 120;
    /** Slowest rate a GET's time limit allows for: 256 KiB/s (a 256 MiB layer may take 1024 s). */
    static final long SLOWEST_BYTES_PER_SECOND = 256 << 10;
    /** curl's exit code when --max-time ran out. */
    static final int CURL_TIMED_OUT = 28;

    private static final Logger LOG = LoggerFactory.getLogger(BlobPuller.class);

    private BlobPuller() {
    }

    /**
     * Time limit of one GET of {@code layerBytes}: at least {@value #MIN_MAX_TIME_SECONDS} s, more for layers that take
     * longer at {@link #SLOWEST_BYTES_PER_SECOND}. A node that stalls then fails the pull with its logs instead of
     * running into the test's own timeout silently.
     */
    static int maxSeconds(long layerBytes) {
        return (int) Math.max(MIN_MAX_TIME_SECONDS, layerBytes / SLOWEST_BYTES_PER_SECOND);
    }

    /** One GET: the digest of the bytes received ({@code sha256:…}); throws {@link PullFailedException} on error. */
    static String pullOnce(NetworkLab lab, LabNode node, String url, int maxSeconds) {
        String script = "set -o pipefail; curl -sSf --max-time " + maxSeconds + " '" + url + "' | openssl dgst -sha256 -r";
        Shell.Result r = Shell.tryRun(lab.inside(node.host(), List.of("bash", "-c", script)));
        if (r.exitCode() == CURL_TIMED_OUT) {
            throw new PullStalledException(node.name(), url, "no complete answer within " + maxSeconds + " s: "
                    + r.stderr().strip());
        }
        if (r.exitCode() != 0) {
            throw new PullFailedException(node.name(), url, "exit " + r.exitCode() + ": " + r.stderr().strip());
        }
        return "sha256:" + r.stdout().trim().split("\\s+")[0];
    }

    /**
     * GETs until the bytes match {@code digest} or {@code attempts} GETs failed (a node killed mid-transfer fails
     * the GET; the next one goes to the restarted node, as containerd retries). A digest mismatch and a GET that ran
     * out of time on a live node (a stalled download: {@link PullStalledException}) are never retried.
     *
     * @return how many GETs it took
     */
    static int pull(NetworkLab lab, LabNode node, String url, String digest, int attempts, int maxSeconds)
            throws InterruptedException {
        PullFailedException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            String got;
            try {
                got = pullOnce(lab, node, url, maxSeconds);
            } catch (PullStalledException e) {
                if (node.alive() && !node.restarting()) {
                    throw e;
                }
                last = e;
                LOG.info("pull timed out while its node was down node={} url={} attempt={}", node.name(), url, attempt);
                continue;
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
