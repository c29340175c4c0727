package dev.damselfly.testkit.registry;

import static dev.damselfly.testkit.TestHttp.get;
import static dev.damselfly.testkit.TestHttp.pushBlob;
import static dev.damselfly.testkit.TestHttp.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.support.ShutdownSafetyNet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegistryServerTest {

    @Test
    void anonymousRegistryServesPushesDeletesAndCleansUp() throws Exception {
        RegistryServer registry = RegistryServer.start(RegistryAuth.none());
        Path storage = registry.storageDir();
        int port = registry.port();
        try {
            assertEquals("127.0.0.1:" + port, registry.hostPort());
            assertEquals("http://127.0.0.1:" + port, registry.baseUri().toString());
            assertEquals(200, get(registry.baseUri().resolve("/v2/")).statusCode());

            byte[] blob = DeterministicBytes.bytes(42, 100_000);
            String digest = pushBlob(registry.baseUri(), "test/blob", blob, null);
            HttpResponse<byte[]> pulled = get(registry.baseUri().resolve("/v2/test/blob/blobs/" + digest));
            assertEquals(200, pulled.statusCode());
            assertArrayEquals(blob, pulled.body());
            assertTrue(Files.isRegularFile(storage.resolve("docker/registry/v2/blobs/sha256/"
                    + digest.substring(7, 9) + "/" + digest.substring(7) + "/data")), "blob stored under storageDir");

            // storage.delete.enabled: true
            assertEquals(202, send("DELETE", registry.baseUri().resolve("/v2/test/blob/blobs/" + digest), null).statusCode());
            assertEquals(404, get(registry.baseUri().resolve("/v2/test/blob/blobs/" + digest)).statusCode());

            assertTrue(registry.logs().contains("listening on 127.0.0.1:" + port), registry.logs());
            assertTrue(Files.readString(registry.configFile()).contains("accesslog"));
            assertTrue(registry.isRunning());
        } finally {
            registry.close();
        }
        assertFalse(registry.isRunning(), "process killed");
        assertFalse(ProcessHandle.of(registry.pid()).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(Files.exists(storage), "temporary directory deleted");
        assertThrows(IOException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            }
        }, "port closed");
        registry.close(); // idempotent
    }

    @Test
    void htpasswdRegistryDemandsBasicCredentials() {
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.htpasswd("alice", "s3cret"))) {
            HttpResponse<byte[]> anonymous = get(registry.baseUri().resolve("/v2/"));
            assertEquals(401, anonymous.statusCode());
            assertEquals("Basic realm=\"damselfly-testkit\"", anonymous.headers().firstValue("WWW-Authenticate").orElse(""));

            Credentials wrong = new Credentials("alice", "wrong");
            assertEquals(401, get(registry.baseUri().resolve("/v2/"), "Authorization", wrong.basicAuthorization()).statusCode());

            Credentials right = registry.auth().credentials().orElseThrow();
            assertEquals(200, get(registry.baseUri().resolve("/v2/"), "Authorization", right.basicAuthorization()).statusCode());
            String digest = pushBlob(registry.baseUri(), "private/x", new byte[] {1, 2, 3}, right.basicAuthorization());
            assertEquals(401, get(registry.baseUri().resolve("/v2/private/x/blobs/" + digest)).statusCode());
        }
    }

    @Test
    void htpasswdWithSeveralUsers() {
        try (RegistryServer registry = RegistryServer.start(RegistryAuth.htpasswd(Map.of("a", "pa", "b", "pb")))) {
            assertEquals(200, get(registry.baseUri().resolve("/v2/"), "Authorization", new Credentials("b", "pb").basicAuthorization()).statusCode());
            assertEquals(200, get(registry.baseUri().resolve("/v2/"), "Authorization", new Credentials("a", "pa").basicAuthorization()).statusCode());
        }
    }

    @Test
    void missingBinaryIsATypedFailureNotASkip() {
        RegistryNotInstalledException e = assertThrows(RegistryNotInstalledException.class,
                () -> RegistryServer.builder().binary(Paths.get("/nonexistent/docker-registry")).start());
        assertTrue(e.getMessage().contains("scripts/test"), e.getMessage());
        assertTrue(e.getMessage().contains("/nonexistent/docker-registry"), e.getMessage());
    }

    @Test
    void processThatExitsEarlyFailsWithItsOutput() {
        int before = ShutdownSafetyNet.openCount();
        RegistryStartException e = assertThrows(RegistryStartException.class,
                () -> RegistryServer.builder().binary(Paths.get("/bin/false")).start());
        assertTrue(e.getMessage().contains("exited with code 1"), e.getMessage());
        assertEquals(before, ShutdownSafetyNet.openCount(), "failed start leaves nothing registered");
    }

    @Test
    void registryDiesWithAKilledJvmEvenWithoutShutdownHooks() throws Exception {
        Process jvm = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), OrphanProbeMain.class.getName())
                .redirectErrorStream(true).start();
        String line;
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(jvm.getInputStream()))) {
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("REGISTRY "));
            assertTrue(line != null, "child JVM did not start a registry");
            String[] parts = line.split(" ");
            long pid = Long.parseLong(parts[1]);
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
            jvm.waitFor();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "orphaned registry was killed");
            dev.damselfly.testkit.support.TempDirs.deleteRecursively(Paths.get(parts[3]));
        } finally {
            jvm.destroyForcibly();
        }
    }

    @Test
    void twoRegistriesRunSideBySide() {
        try (RegistryServer a = RegistryServer.start(); RegistryServer b = RegistryServer.start()) {
            assertFalse(a.hostPort().equals(b.hostPort()));
            assertFalse(a.storageDir().equals(b.storageDir()));
            pushBlob(a.baseUri(), "only/in/a", new byte[] {9}, null);
            assertEquals(404, get(b.baseUri().resolve("/v2/only/in/a/blobs/" + dev.damselfly.testkit.image.Digests.sha256(new byte[] {9})))
                    .statusCode());
        }
    }
}
