package dev.damselfly.exchange.engine;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real-wire engine test: a fresh {@link WireLab} (scheduler, origin, nodes) per test, closed after it. */
abstract class WireLabTest {
    @TempDir
    Path dir;
    WireLab lab;

    @BeforeEach
    void startLab() throws Exception {
        lab = new WireLab(dir);
    }

    @AfterEach
    void stopLab() throws Exception {
        lab.close();
    }
}
