package dev.damselfly.exchange.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PieceNotificationsTest {

    @Test
    void wakesOnlyWaitersOfThatTaskUntilClosed() {
        PieceNotifications n = new PieceNotifications();
        AtomicInteger a = new AtomicInteger();
        AtomicInteger b = new AtomicInteger();
        PieceNotifications.Registration ra = n.register("a", a::incrementAndGet);
        n.register("b", b::incrementAndGet);
        n.register("b", () -> {
            throw new IllegalStateException("a failing waiter does not stop the others");
        });
        n.pieceStored("a", 0);
        n.pieceStored("b", 1);
        n.pieceStored("c", 2);
        assertEquals(1, a.get());
        assertEquals(1, b.get());
        ra.close();
        n.pieceStored("a", 1);
        assertEquals(1, a.get());
        assertEquals(1, n.waitingTasks());
    }
}
