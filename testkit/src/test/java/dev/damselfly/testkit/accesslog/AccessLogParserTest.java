package dev.damselfly.testkit.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AccessLogParserTest {

    private static final String DIGEST = "sha256:" + "0".repeat(64);

    @Test
    void parsesADistributionLineWithEscapes() {
        String line = "127.0.0.1 - - [22/Nov/2026:04:51:41 +0000] \"GET /v2/?a=b HTTP/1.1\" 200 2 \"\" \"my \\\"agent\\\" \\\\ \\x01 \\u00e9\"";
        AccessLogEntry e = AccessLogParser.parse(7, line).orElseThrow();
        assertEquals(7, e.sequence());
        assertEquals("127.0.0.1", e.remoteHost());
        assertEquals("-", e.user());
        assertEquals(Instant.parse("2026-11-22T04:51:41Z"), e.time());
        assertEquals("GET", e.method());
        assertEquals("/v2/", e.path());
        assertEquals("a=b", e.query());
        assertEquals("HTTP/1.1", e.protocol());
        assertEquals(200, e.status());
        assertEquals(2, e.bytes());
        assertEquals("", e.referer());
        assertEquals("my \"agent\" \\ \u0001 é", e.userAgent());
        assertEquals(line, e.rawLine());
    }

    @Test
    void classifiesRegistryPaths() {
        AccessLogEntry blob = parse("HEAD", "/v2/library/alpine/blobs/" + DIGEST, 404, 157);
        assertTrue(blob.isBlob());
        assertFalse(blob.isBlobGet());
        assertEquals(Optional.of("library/alpine"), blob.repository());
        assertEquals(Optional.of(DIGEST), blob.reference());
        AccessLogEntry manifest = parse("GET", "/v2/a/b/c/manifests/v1.0", 200, 500);
        assertTrue(manifest.isManifest());
        assertEquals(Optional.of("a/b/c"), manifest.repository());
        assertEquals(Optional.of("v1.0"), manifest.reference());
        AccessLogEntry upload = parse("PATCH", "/v2/x/blobs/uploads/5c1b2-aa", 202, 0);
        assertTrue(upload.isBlobUpload());
        assertFalse(upload.isBlob());
        assertEquals(Optional.of("x"), upload.repository());
        assertEquals(Optional.empty(), upload.reference());
    }

    @Test
    void ignoresOtherLines() {
        assertTrue(AccessLogParser.parse(0, "time=\"2026-11-22T04:51:40Z\" level=info msg=\"listening on 127.0.0.1:5000\"").isEmpty());
        assertTrue(AccessLogParser.parse(0, "").isEmpty());
    }

    @Test
    void markSinceAwaitAndHiddenSyncLines() {
        AccessLog log = new AccessLog();
        log.accept("noise");
        log.accept(line("GET", "/v2/a/blobs/" + DIGEST, 200, 1000));
        AccessLog.Mark mark = log.mark();
        log.accept(line("GET", "/v2/a/blobs/" + DIGEST, 206, 10));
        log.accept(line("HEAD", "/v2/a/blobs/" + DIGEST, 200, 1000));
        log.accept(line("GET", "/v2/?" + AccessLog.SYNC_PARAMETER + "=abc", 200, 2));
        assertEquals(3, log.size(), "sync sentinel hidden");
        assertEquals(2, log.since(mark).size());
        assertEquals(10, log.since(mark).bytesServed(AccessLogEntry::isBlobGet));
        assertEquals(1010, log.bytesServed(AccessLogEntry::isBlobGet));
        assertEquals(2, log.count(e -> e.method().equals("GET")));
        assertEquals(2, log.awaitEntries(mark, 2, Duration.ofMillis(10)).size());
        AccessLogTimeoutException timeout = assertThrows(AccessLogTimeoutException.class,
                () -> log.awaitEntries(mark, 3, Duration.ofMillis(50)));
        assertTrue(timeout.getMessage().contains("HEAD /v2/a/blobs"), timeout.getMessage());
        assertTrue(log.awaitSettled(Duration.ofMillis(20), Duration.ofSeconds(2)));
        assertThrows(IllegalStateException.class, log::sync, "no probe");
    }

    @Test
    void awaitWakesUpWhenLinesArrive() throws Exception {
        AccessLog log = new AccessLog();
        AccessLog.Mark mark = log.mark();
        Thread feeder = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            log.accept(line("GET", "/v2/", 200, 2));
        });
        feeder.start();
        assertEquals(1, log.awaitMatching(mark, e -> e.path().equals("/v2/"), 1, Duration.ofSeconds(5)).size());
        feeder.join();
    }

    private static String line(String method, String path, int status, long bytes) {
        return "127.0.0.1 - - [22/Nov/2026:04:51:41 +0000] \"" + method + " " + path + " HTTP/1.1\" " + status + " " + bytes
                + " \"\" \"test\"";
    }

    private static AccessLogEntry parse(String method, String path, int status, long bytes) {
        return AccessLogParser.parse(0, line(method, path, status, bytes)).orElseThrow();
    }
}
