package dev.damselfly.e2e.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reduced S1, S3, S4 and S6 (N = 3, 4 layers of 12 MiB; S6 disabled, see its comment) in real network namespaces with tc-limited links. They assert
 * correctness, not speed: every pull completes, every layer's SHA-256 matches (a mismatch throws), registry egress
 * stays within the bound. Fails (never skips) when the machine cannot run the lab (not root, no ip/tc).
 */
class ClusterScenariosTest {
    /** N = 3, 4 × 12 MiB, registry 200 Mbit/s, nodes 100 Mbit/s, starts 300 ms apart. */
    static final ScenarioConfig SMALL = new ScenarioConfig(3, 4, 12 * ScenarioConfig.MIB, 200, 100, 300);

    @TempDir
    Path work;

    @BeforeAll
    static void labCanRun() {
        NetworkLab.requireTools();
    }

    @Test
    void s1SwarmEveryNodeGetsCorrectBytesAndTheRegistryServesTheImageAboutOnce() throws Exception {
        ScenarioResult r = ClusterScenarios.swarm(SMALL, work);
        System.out.println(r.summary());
        assertEquals(SMALL.nodes(), r.seconds().size(), "every node completed: " + r.summary());
        assertTrue(r.egressRatio() <= 1.2, "registry egress " + r.egressRatio() + "× the image (limit 1.2×): " + r.summary());
    }

    @Test
    void s3ChurnEveryPullCompletesWithCorrectBytesWhileNodesAreKilledAndRestarted() throws Exception {
        ScenarioResult r = ClusterScenarios.churn(SMALL, work, 4000, SMALL.nodes());
        System.out.println(r.summary());
        assertEquals(SMALL.nodes(), r.seconds().size(), "every node completed: " + r.summary());
        assertTrue(r.counter("kills") >= 1, "at least one node was killed during the pulls: " + r.summary());
        // Bound: never worse than every node pulling from the registry once, plus one re-fetch per kill.
        double bound = SMALL.nodes() + r.counter("kills");
        assertTrue(r.egressRatio() <= bound, "registry egress " + r.egressRatio() + "× the image (limit " + bound + "×): "
                + r.summary());
    }

    @Test
    void s4ByzantineNoCorruptByteReachesAClientAndTheFaultyNodeIsAvoided() throws Exception {
        ScenarioResult r = ClusterScenarios.byzantine(SMALL, work, 0.3);
        System.out.println(r.summary());
        assertEquals(SMALL.nodes() - 1, r.seconds().size(), "every honest node completed: " + r.summary());
        assertTrue(r.counter("corrupted") >= 1, "the faulty node corrupted at least one upload: " + r.summary());
        assertTrue(r.counter("caught") >= 1, "an honest node caught a corrupt piece: " + r.summary());
        assertEquals(r.counter("hitNodes"), r.counter("avoidingNodes"),
                "every node that received a corrupt piece avoids the faulty node: " + r.summary());
        assertTrue(r.egressRatio() <= 1.2, "registry egress " + r.egressRatio() + "× the image (limit 1.2×): " + r.summary());
    }

    @Test
    void s6RegistryDownColdNodesStillPullTheImageFromPeers() throws Exception {
        ScenarioResult r = ClusterScenarios.registryDown(SMALL, work, 1);
        System.out.println(r.summary());
        assertEquals(SMALL.nodes() - 1, r.seconds().size(), "every cold node completed: " + r.summary());
        assertTrue(r.egressRatio() <= 1.2, "warm-up egress " + r.egressRatio() + "× the image (limit 1.2×): " + r.summary());
    }
}
