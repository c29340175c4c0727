package dev.damselfly.testkit.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.damselfly.testkit.support.ShutdownSafetyNet;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** Runs the example classes through the JUnit engine to check failure reporting and cleanup. */
class RegistryExtensionLifecycleTest {

    @Test
    void failingTestGetsTheRegistryLogTailAndEverythingIsStopped() {
        int open = ShutdownSafetyNet.openCount();
        Events tests = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(RegistryExtensionExamples.FailingExample.class))
                .execute()
                .testEvents();
        tests.assertStatistics(s -> s.started(1).failed(1));
        Event failed = tests.failed().list().get(0);
        Throwable thrown = failed.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                .getThrowable().orElseThrow();
        assertInstanceOf(AssertionError.class, thrown);
        assertEquals(1, thrown.getSuppressed().length);
        RegistryLogs logs = assertInstanceOf(RegistryLogs.class, thrown.getSuppressed()[0]);
        assertTrue(logs.getMessage().contains("listening on 127.0.0.1:"), logs.getMessage());
        assertTrue(logs.getMessage().contains("/v2/failing/example"), "the failing test's request is in the tail");

        assertFalse(RegistryExtensionExamples.FailingExample.seen.isRunning(), "registry stopped after the class");
        assertFalse(Files.exists(RegistryExtensionExamples.FailingExample.seen.storageDir()));
        assertEquals(open, ShutdownSafetyNet.openCount());
    }

    @Test
    void instanceFieldGivesEachTestItsOwnRegistry() {
        RegistryExtensionExamples.PerTestExample.seen.clear();
        EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(RegistryExtensionExamples.PerTestExample.class))
                .execute()
                .testEvents()
                .assertStatistics(s -> s.started(2).succeeded(2));
        var seen = RegistryExtensionExamples.PerTestExample.seen;
        assertEquals(2, seen.size());
        assertNotEquals(seen.get(0).hostPort(), seen.get(1).hostPort());
        seen.forEach(r -> assertFalse(r.isRunning()));
    }
}
