package dev.damselfly.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigestTest {
    /** sha256("hello") from coreutils: echo -n hello | sha256sum. */
    private static final String HELLO = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    @Test
    void sha256MatchesCoreutils() {
        assertEquals(HELLO, Digest.sha256("hello".getBytes(StandardCharsets.UTF_8)).toString());
    }

    @Test
    void parseRoundTripsAndValidatesLength() {
        Digest d = Digest.parse(HELLO);
        assertEquals("sha256", d.algorithm());
        assertEquals("2cf24dba5fb0", d.shortHex());
        assertEquals(HELLO, d.toString());
        assertThrows(InvalidReferenceException.class, () -> Digest.parse("sha256:abc"));
        assertThrows(InvalidReferenceException.class, () -> Digest.parse("sha256:" + "A".repeat(64)));
        assertThrows(InvalidReferenceException.class, () -> Digest.parse("nocolon"));
        assertThrows(Digest.UnsupportedDigestAlgorithmException.class, () -> Digest.parse("md5:abcd").newMessageDigest());
    }

    @Test
    void verifyingStreamPassesCorrectContent() throws Exception {
        try (InputStream in = new VerifyingInputStream(new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)),
                Digest.parse(HELLO), 5, "test")) {
            assertEquals("hello", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void verifyingStreamNamesExpectedAndActualOnMismatch() {
        InputStream in = new VerifyingInputStream(new ByteArrayInputStream("hellO".getBytes(StandardCharsets.UTF_8)),
                Digest.parse(HELLO), 5, "http://example/blob");
        DigestMismatchException e = assertThrows(DigestMismatchException.class, in::readAllBytes);
        assertEquals(HELLO, e.expected().toString());
        assertEquals(Digest.sha256("hellO".getBytes(StandardCharsets.UTF_8)).toString(), e.actual());
        assertEquals("http://example/blob", e.source());
    }

    @Test
    void verifyingStreamRejectsWrongSizes() {
        InputStream shortStream = new VerifyingInputStream(new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)),
                Digest.parse(HELLO), 6, "test");
        assertThrows(DigestMismatchException.class, shortStream::readAllBytes);
        InputStream longStream = new VerifyingInputStream(new ByteArrayInputStream("hello!".getBytes(StandardCharsets.UTF_8)),
                Digest.parse(HELLO), 5, "test");
        assertThrows(DigestMismatchException.class, longStream::readAllBytes);
    }
}
