package dev.damselfly.peer.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RedactionTest {

    @ParameterizedTest
    @ValueSource(strings = {
        "request headers: Authorization: Basic dXNlcjpzM2NyM3Q=",
        "authorization=Bearer s3cr3t.jwt.token",
        "header Authorization: s3cr3t",
        "{\"password\":\"s3cr3t\"}",
        "login with password=s3cr3t&user=me",
        "token: s3cr3t",
        "GET https://me:s3cr3t@registry.example/v2/",
        "identitytoken=s3cr3t"})
    void secretsAreMasked(String text) {
        String redacted = Redaction.redact(text);
        assertFalse(redacted.contains("s3cr3t") || redacted.contains("dXNlcjpzM2NyM3Q"), redacted);
        assertTrue(redacted.contains(Redaction.MASK), redacted);
    }

    @Test
    void ordinaryTextIsUntouched() {
        String text = "token for 127.0.0.1:5000 scope 'repository:app:pull' until 2024-05-01T12:00:00Z; "
                + "copied sha256:0123 (12.3 MiB)";
        assertEquals(text, Redaction.redact(text));
    }

    @Test
    void headerKeepsItsSchemeName() {
        assertEquals("Authorization: Bearer <redacted>", Redaction.redact("Authorization: Bearer abc.def.ghi"));
    }
}
