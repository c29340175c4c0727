package dev.damselfly.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {
    private static final String HEX = "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

    @Test
    void bareNameGetsDockerHubLibraryAndLatest() {
        ImageReference ref = ImageReference.parse("busybox");
        assertEquals("docker.io", ref.registry());
        assertEquals("registry-1.docker.io", ref.apiHost());
        assertEquals("library/busybox", ref.repository());
        assertEquals("latest", ref.tag().orElseThrow());
        assertEquals("docker.io/library/busybox:latest", ref.toString());
    }

    @Test
    void userRepositoryOnDockerHubKeepsItsNamespace() {
        ImageReference ref = ImageReference.parse("dragonflyoss/client:v1.0");
        assertEquals("docker.io", ref.registry());
        assertEquals("dragonflyoss/client", ref.repository());
        assertEquals("v1.0", ref.tag().orElseThrow());
    }

    @Test
    void hostWithPortTagAndDigest() {
        ImageReference ref = ImageReference.parse("127.0.0.1:5000/team/app:1.2@sha256:" + HEX);
        assertEquals("127.0.0.1:5000", ref.registry());
        assertEquals("127.0.0.1:5000", ref.apiHost());
        assertEquals("team/app", ref.repository());
        assertEquals("1.2", ref.tag().orElseThrow());
        assertEquals("sha256:" + HEX, ref.digest().orElseThrow().toString());
        assertEquals("sha256:" + HEX, ref.manifestReference(), "a digest wins over the tag for pulls");
    }

    @Test
    void digestOnlyHasNoDefaultTag() {
        ImageReference ref = ImageReference.parse("quay.io/org/app@sha256:" + HEX);
        assertTrue(ref.tag().isEmpty());
        assertEquals("quay.io/org/app@sha256:" + HEX, ref.toString());
    }

    @Test
    void localhostAndIndexDockerIoAreHosts() {
        assertEquals("localhost", ImageReference.parse("localhost/app").registry());
        assertEquals("localhost:5000", ImageReference.parse("localhost:5000/app:v").registry());
        ImageReference hub = ImageReference.parse("index.docker.io/library/ubuntu");
        assertEquals("docker.io", hub.registry());
        assertEquals("library/ubuntu", hub.repository());
    }

    @Test
    void ipv6Host() {
        ImageReference ref = ImageReference.parse("[::1]:5000/app:1");
        assertEquals("[::1]:5000", ref.registry());
        assertEquals("app", ref.repository());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "UPPER/case", "app:", "app:-bad", "host:5000/", "a//b", "app@sha256:short",
            "app@md5", "app:tag@sha256:ZZ", "a/b_-c", "-leading"})
    void rejectsMalformed(String text) {
        InvalidReferenceException e = assertThrows(InvalidReferenceException.class, () -> ImageReference.parse(text));
        assertEquals(text, e.input());
    }

    @Test
    void withDigestAndTagAndRepository() {
        ImageReference ref = ImageReference.parse("127.0.0.1:5000/app:1");
        Digest digest = Digest.parse("sha256:" + HEX);
        assertEquals("127.0.0.1:5000/app:1@sha256:" + HEX, ref.withDigest(digest).toString());
        assertEquals("127.0.0.1:5000/app:2", ref.withTag("2").toString());
        assertEquals("127.0.0.1:5000/other:1", ref.withRepository("other").toString());
        assertFalse(ref.equals(ref.withTag("2")));
        assertEquals(ref, ImageReference.parse("127.0.0.1:5000/app:1"));
    }
}
