package dev.damselfly.testkit.accesslog;

import static dev.damselfly.testkit.TestHttp.get;
import static dev.damselfly.testkit.TestHttp.pushBlob;
import static dev.damselfly.testkit.TestHttp.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.testkit.image.DeterministicBytes;
import dev.damselfly.testkit.registry.RegistryServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The access log of a real registry process. */
class AccessLogTest {

    private static RegistryServer registry;

    @BeforeAll
    static void start() {
        registry = RegistryServer.start();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    @Test
    void recordsEveryRequestWithBytesAndUserAgent() {
        byte[] blob = DeterministicBytes.bytes(5, 300_000);
        String digest = pushBlob(registry.baseUri(), "log/test", blob, null);
        AccessLog log = registry.accessLog();
        log.sync(); // the push's own lines are written asynchronously: let them land before the mark
        AccessLog.Mark mark = log.mark();

        var blobUri = registry.baseUri().resolve("/v2/log/test/blobs/" + digest);
        get(blobUri, "User-Agent", "damselfly-test/1.0 (\"quoted\")");
        get(blobUri, "Range", "bytes=100-199");
        send("HEAD", blobUri, null);
        get(registry.baseUri().resolve("/v2/log/test/manifests/missing?x=1"));
        log.sync();

        List<AccessLogEntry> entries = log.since(mark).entries();
        assertEquals(4, entries.size(), log.since(mark).toString());
        AccessLogEntry full = entries.get(0);
        assertEquals("GET", full.method());
        assertEquals("/v2/log/test/blobs/" + digest, full.path());
        assertEquals(200, full.status());
        assertEquals(blob.length, full.bytes());
        assertEquals("damselfly-test/1.0 (\"quoted\")", full.userAgent());
        assertEquals("127.0.0.1", full.remoteHost());
        assertEquals(206, entries.get(1).status());
        assertEquals(100, entries.get(1).bytes());
        assertEquals("HEAD", entries.get(2).method());
        assertEquals("x=1", entries.get(3).query());
        assertEquals(404, entries.get(3).status());

        assertEquals(blob.length + 100, log.since(mark).bytesServed(AccessLogEntry::isBlobGet));
        assertEquals(3, log.since(mark).count(AccessLogEntry::isBlob));
        assertTrue(log.all().count(AccessLogEntry::isBlobUpload) >= 2, "POST and PUT of the upload");
        assertEquals(0, log.count(e -> e.query().contains(AccessLog.SYNC_PARAMETER)), "sync requests hidden");
    }

    @Test
    void syncIsExactForManySequentialRequests() {
        AccessLog log = registry.accessLog();
        for (int round = 0; round < 3; round++) {
            AccessLog.Mark mark = log.mark();
            for (int i = 0; i < 25; i++) {
                get(registry.baseUri().resolve("/v2/?n=" + i));
            }
            log.sync();
            assertEquals(25, log.since(mark).size());
        }
    }

    @Test
    void awaitEntriesWithoutSync() {
        AccessLog log = registry.accessLog();
        AccessLog.Mark mark = log.mark();
        get(registry.baseUri().resolve("/v2/_catalog"));
        AccessLogSlice slice = log.awaitMatching(mark, e -> e.path().equals("/v2/_catalog"), 1, Duration.ofSeconds(5));
        assertEquals(200, slice.entries().get(0).status());
    }
}
