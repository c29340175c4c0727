package dev.damselfly.peer.node.mounts;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

/**
 * The node's start-up warm-up of the mount API: its sample request must stay one the API accepts (else the warm-up
 * would stop at the first refusal and the first real request would pay for building Jackson's readers).
 */
class MountsHandlerWarmUpTest {
    @Test
    void theSampleRequestParsesAndTheSampleViewWrites() {
        assertDoesNotThrow(MountsHandler::warmUp);
    }
}
