package dev.damselfly.oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ByteRangeTest {
    @Test
    void headers() {
        assertEquals("bytes=0-0", ByteRange.of(0, 1).header());
        assertEquals("bytes=10-19", ByteRange.of(10, 10).header());
        assertEquals("bytes=5-", ByteRange.from(5).header());
        assertEquals("bytes=-3", ByteRange.suffix(3).header());
        assertThrows(IllegalArgumentException.class, () -> ByteRange.of(0, 0));
        assertThrows(IllegalArgumentException.class, () -> ByteRange.of(-1, 5));
        assertThrows(IllegalArgumentException.class, () -> ByteRange.suffix(0));
    }

    @Test
    void retryAfterParsing() {
        assertEquals(7, ResponseErrors.retryAfterSeconds("7"));
        assertEquals(-1, ResponseErrors.retryAfterSeconds(null));
        assertEquals(-1, ResponseErrors.retryAfterSeconds("soon"));
        assertEquals(0, ResponseErrors.retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT"), "a date in the past means now");
    }

    @Test
    void registryErrorBodiesBecomeOneLine() {
        assertEquals("BLOB_UNKNOWN: blob unknown to registry", ResponseErrors.registryMessage(
                "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\",\"detail\":\"x\"}]}"));
        assertEquals("plain text", ResponseErrors.registryMessage("plain\n  text"));
    }

    @Test
    void originComparisonAndRedaction() {
        assertTrue(RegistryHttp.sameOrigin(URI.create("https://r.example/v2/"), URI.create("https://r.example:443/x")));
        assertFalse(RegistryHttp.sameOrigin(URI.create("https://r.example/v2/"), URI.create("https://s3.example/x")));
        assertFalse(RegistryHttp.sameOrigin(URI.create("http://r:5000/"), URI.create("http://r:5001/")));
        assertEquals("https://s3.example/bucket/blob?…", RegistryHttp.redact(URI.create("https://s3.example/bucket/blob?X-Amz-Signature=secret")));
    }

    @Test
    void plainHttpOnlyByConfigAndAsAFallbackForLoopback() {
        RegistryClientConfig config = RegistryClientConfig.builder().plainHttpRegistries(java.util.Set.of("reg.lan:5000")).build();
        assertTrue(config.mayFallBackToPlainHttp("127.0.0.1:5000"));
        assertTrue(config.mayFallBackToPlainHttp("localhost"));
        assertTrue(config.mayFallBackToPlainHttp("[::1]:5000"));
        assertFalse(config.mayFallBackToPlainHttp("reg.lan:5000"));
        assertFalse(config.mayFallBackToPlainHttp("docker.io"));
        assertTrue(config.usesPlainHttp("reg.lan:5000"));
        assertFalse(config.usesPlainHttp("reg.lan"));
        assertFalse(config.usesPlainHttp("127.0.0.1:5000"), "loopback tries TLS first");
    }
}
