package dev.damselfly.peer.logging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checks the logging set-up ({@link LogSetup}, found by Logback at start) together with {@link LogLevels}. */
class LogLevelsTest {
    @AfterEach
    void quietAgain() {
        LogLevels.configure(false);
    }

    @Test
    void warnByDefaultDebugWhenVerbose() {
        Logger ours = LoggerFactory.getLogger("dev.damselfly.oci.registry.RegistryHttp");
        LogLevels.configure(false);
        assertFalse(ours.isInfoEnabled());
        assertTrue(ours.isWarnEnabled());
        LogLevels.configure(true);
        assertTrue(ours.isDebugEnabled());
    }

    @Test
    void httpHeadersAndWireBytesAreNeverLogged() {
        LogLevels.configure(true);
        assertFalse(LoggerFactory.getLogger("org.apache.hc.client5.http.headers").isDebugEnabled(),
                "this logger prints Authorization headers");
        assertFalse(LoggerFactory.getLogger("org.apache.hc.client5.http.wire").isDebugEnabled(),
                "this logger prints every byte sent and received");
    }
}
