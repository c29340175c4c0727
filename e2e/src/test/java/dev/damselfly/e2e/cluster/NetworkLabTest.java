package dev.damselfly.e2e.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab itself: hosts reach each other and the root namespace through the bridge, tc limits the rate, and nothing
 * it created (namespace, link, process, mount, state file) survives {@link NetworkLab#close()} or a dead owner JVM.
 */
class NetworkLabTest {
    @TempDir
    Path work;

    @BeforeAll
    static void labCanRun() {
        NetworkLab.requireTools();
    }

    @Test
    void hostsTalkThroughTheBridgeAndCloseRemovesEverything() throws Exception {
        NetworkLab lab = NetworkLab.create();
        String id = lab.id();
        Process sleeper;
        try {
            NetworkLab.Host a = lab.addHost("a");
            NetworkLab.Host b = lab.addHost("b");
            lab.limit(a, 10, 20);
            sleeper = lab.spawn(b, List.of("python3", "-m", "http.server", "8080", "--bind", b.ip(), "-d", work.toString()),
                    work.resolve("http.err"));
            String url = "http://" + b.ip() + ":8080/";
            List<String> get = List.of("curl", "-sSf", "-o", "/dev/null", "--retry", "20", "--retry-connrefused",
                    "--retry-delay", "1", url);
            Shell.Result fromA = Shell.tryRun(lab.inside(a, get));
            assertEquals(0, fromA.exitCode(), "a reaches b over the bridge: " + fromA);
            Shell.Result fromRoot = Shell.tryRun(get);
            assertEquals(0, fromRoot.exitCode(), "the root namespace reaches b: " + fromRoot);
            String qdisc = Shell.run(lab.inside(a, List.of("tc", "qdisc", "show", "dev", "eth0")));
            assertTrue(qdisc.contains("tbf") && qdisc.contains("10Mbit"), "a's upload is limited: " + qdisc);
            assertTrue(Shell.run("tc", "qdisc", "show", "dev", a.hostVeth()).contains("20Mbit"), "a's download is limited");
            assertTrue(Shell.run("ip", "netns", "pids", b.namespace()).contains(Long.toString(sleeper.pid())),
                    "the server runs inside b's namespace");
        } finally {
            lab.close();
        }
        assertFalse(sleeper.isAlive(), "close killed the process it started");
        assertFalse(Shell.run("ip", "netns", "list").contains(NetworkLab.NAMESPACE_PREFIX + id), "no namespace of the lab is left");
        assertFalse(Shell.run("ip", "-o", "link", "show").contains(NetworkLab.LINK_PREFIX + id), "no link of the lab is left");
        assertFalse(Files.exists(Path.of(NetworkLab.STATE_DIR, id)), "the lab's state file is gone");
    }

    @Test
    void aNetworkOnlyProcessSharesTheRootMountsAndCloseRemovesTheLabsMounts() throws Exception {
        NetworkLab lab = NetworkLab.create();
        Path mnt;
        Process sleeper;
        try {
            NetworkLab.Host a = lab.addHost("a");
            mnt = lab.mountpoint(work, a);
            assertTrue(mnt.getFileName().toString().startsWith(NetworkLab.MOUNT_PREFIX + lab.id() + "-"), mnt.toString());
            Shell.run("mount", "-t", "tmpfs", "-o", "size=1m", "lab-test", mnt.toString());
            sleeper = lab.spawnNetworkOnly(a, List.of("sleep", "300"), work.resolve("sleep.err"));
            // nsenter joins the namespace after it has started: wait up to 5 s for it to be listed there
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            boolean inNamespace = false;
            while (!inNamespace && System.nanoTime() < deadline) {
                inNamespace = Shell.run("ip", "netns", "pids", a.namespace()).lines()
                        .anyMatch(pid -> pid.strip().equals(Long.toString(sleeper.pid())));
                if (!inNamespace) {
                    Thread.sleep(20);
                }
            }
            assertTrue(inNamespace, "the process runs in a's network namespace");
            assertEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/mnt")),
                    Files.readSymbolicLink(Path.of("/proc/" + sleeper.pid() + "/ns/mnt")), "and in the root mount namespace");
        } finally {
            lab.close();
        }
        assertFalse(sleeper.isAlive(), "close killed the process");
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mnt + " "), "close unmounted " + mnt);
    }

    @Test
    void leftoversOfADeadLabAreRemovedAtTheNextStart() throws Exception {
        String id = "0dead";
        String ns = NetworkLab.NAMESPACE_PREFIX + id + "-x";
        String link = NetworkLab.LINK_PREFIX + id + "b";
        try {
            Files.createDirectories(Path.of(NetworkLab.STATE_DIR));
            Files.writeString(Path.of(NetworkLab.STATE_DIR, id), "2147483646");
            Shell.run("ip", "netns", "add", ns);
            Shell.run("ip", "link", "add", link, "type", "bridge");
            NetworkLab.create().close();
            assertFalse(Shell.run("ip", "netns", "list").contains(ns), "the dead lab's namespace was removed");
            assertFalse(Shell.run("ip", "-o", "link", "show").contains(link), "the dead lab's bridge was removed");
            assertFalse(Files.exists(Path.of(NetworkLab.STATE_DIR, id)), "the dead lab's state file was removed");
        } finally {
            Shell.tryRun("ip", "netns", "del", ns);
            Shell.tryRun("ip", "link", "del", link);
            Files.deleteIfExists(Path.of(NetworkLab.STATE_DIR, id));
        }
    }
}
