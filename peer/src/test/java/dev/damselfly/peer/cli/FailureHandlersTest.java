package dev.damselfly.peer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.DigestMismatchException;
import dev.damselfly.oci.RegistryException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class FailureHandlersTest {

    @Test
    void registryErrorsKeepTheirMessage() {
        assertEquals("127.0.0.1:5000/app:1: manifest unknown (HTTP 404)",
                FailureHandlers.describe(new RegistryException.NotFoundException("127.0.0.1:5000/app:1", "manifest unknown")));
    }

    @Test
    void digestMismatchNamesBothDigestsAndTheSource() {
        Digest expected = Digest.sha256(new byte[] {1});
        String text = FailureHandlers.describe(new DigestMismatchException(expected, "sha256:00", "http://r/b"));
        assertEquals("digest mismatch from http://r/b: expected " + expected + ", got sha256:00", text);
    }

    @Test
    void fileErrorsSayWhatIsWrong() {
        assertEquals("no such file or directory: /x/y",
                FailureHandlers.describe(new UncheckedIOException(new NoSuchFileException("/x/y"))));
    }

    @Test
    void unexpectedExceptionsAreCalledInternalErrors() {
        assertEquals("internal error: java.lang.NullPointerException: boom",
                FailureHandlers.describe(new NullPointerException("boom")));
    }

    @Test
    void secretsInMessagesAreRedacted() {
        String text = FailureHandlers.describe(new java.io.IOException("sent Authorization: Bearer abcdefghijkl to x"));
        assertFalse(text.contains("abcdefghijkl"), text);
    }
}
