package dev.damselfly.exchange.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParentHostSlotsTest {
    private static final String HOST = "10.0.0.7-node-7";

    @Test
    void aHostTakesAtMostItsSlotsAcrossCallersAndFreesThemAsPiecesEnd() {
        ParentHostSlots slots = new ParentHostSlots(() -> { });
        long now = System.nanoTime();
        for (int i = 0; i < ParentHostSlots.PER_HOST_IN_FLIGHT; i++) {
            assertTrue(slots.open(HOST, now), "slot " + i + " is free");
            assertTrue(slots.tryTake(HOST, now), "slot " + i + " taken");
        }
        assertFalse(slots.open(HOST, now), "every slot taken");
        assertFalse(slots.tryTake(HOST, now), "no fourth piece in flight to one host");
        assertTrue(slots.open("10.0.0.8-node-8", now), "another host is not affected");
        slots.served(HOST);
        assertTrue(slots.tryTake(HOST, now), "a served piece frees its slot");
        slots.failed(HOST);
        slots.served(HOST);
        slots.served(HOST);
        assertEquals(0, slots.tracked(), "a host with nothing in flight is forgotten");
    }

    @Test
    void aBusyAnswerClosesTheHostForEveryCallerWithADoublingBackOffThatAServedPieceEnds() {
        ParentHostSlots slots = new ParentHostSlots(() -> { });
        assertTrue(slots.tryTake(HOST, System.nanoTime()));
        assertTrue(slots.tryTake(HOST, System.nanoTime()));
        assertEquals(ParentHostSlots.BUSY_BACKOFF_NANOS, slots.busy(HOST), "first back-off");
        long now = System.nanoTime();
        assertTrue(slots.backingOff(HOST, now));
        assertFalse(slots.open(HOST, now), "a free slot does not open a host that is backing off");
        assertFalse(slots.tryTake(HOST, now));
        assertEquals(2 * ParentHostSlots.BUSY_BACKOFF_NANOS, slots.busy(HOST), "the second answer in a row doubles it");
        long after = System.nanoTime() + 2 * ParentHostSlots.BUSY_BACKOFF_NANOS + 1;
        assertFalse(slots.backingOff(HOST, after), "over after its time");
        assertTrue(slots.tryTake(HOST, after));
        slots.served(HOST);
        assertTrue(slots.tryTake(HOST, after));
        assertEquals(ParentHostSlots.BUSY_BACKOFF_NANOS, slots.busy(HOST), "a served piece ended the streak");
        for (int i = 0; i < 20; i++) {
            long later = System.nanoTime() + ParentHostSlots.BUSY_BACKOFF_MAX_NANOS + 1;
            assertTrue(slots.tryTake(HOST, later));
            assertTrue(slots.busy(HOST) <= ParentHostSlots.BUSY_BACKOFF_MAX_NANOS, "the back-off has a ceiling");
        }
    }

    @Test
    void theWindowHalvesOnABusyAnswerAndGrowsBackOneSlotPerRunOfServedPieces() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        ParentHostSlots slots = new ParentHostSlots(() -> { }, clock::get);
        assertEquals(ParentHostSlots.PER_HOST_IN_FLIGHT, slots.window(HOST, clock.get()), "a new host gets the whole window");
        assertTrue(slots.tryTake(HOST, clock.get()));
        slots.busy(HOST);
        assertEquals(Math.max(1, ParentHostSlots.PER_HOST_IN_FLIGHT / 2), slots.window(HOST, clock.get()), "halved by busy");
        assertTrue(slots.tryTake(HOST, clock.addAndGet(ParentHostSlots.BUSY_BACKOFF_NANOS + 1)));
        slots.busy(HOST);
        assertEquals(1, slots.window(HOST, clock.get()), "never below one piece");

        long later = clock.addAndGet(ParentHostSlots.BUSY_BACKOFF_MAX_NANOS + 1);
        assertTrue(slots.tryTake(HOST, later));
        assertFalse(slots.tryTake(HOST, later), "a window of one holds one piece");
        slots.served(HOST);
        assertEquals(1, slots.tracked(), "a shrunken window is remembered while the host is idle");
        for (int i = 1; i < ParentHostSlots.GROW_AFTER_SERVED; i++) {
            assertTrue(slots.tryTake(HOST, later));
            slots.served(HOST);
        }
        assertEquals(2, slots.window(HOST, clock.get()), "one more slot after a run of served pieces");
        assertTrue(slots.tryTake(HOST, later));
        assertTrue(slots.tryTake(HOST, later), "two pieces in flight now");
        slots.served(HOST);
        slots.served(HOST);

        assertTrue(slots.tryTake(HOST, later));
        slots.busy(HOST);
        assertEquals(1, slots.window(HOST, clock.get()), "halved again");
        long afterBackoff = clock.addAndGet(ParentHostSlots.BUSY_BACKOFF_MAX_NANOS + 1);
        assertTrue(slots.tryTake(HOST, afterBackoff));
        assertFalse(slots.open(HOST, afterBackoff), "one piece in flight fills a window of one");

        long forgotten = clock.addAndGet(ParentHostSlots.WINDOW_MEMORY_NANOS + 1);
        assertTrue(slots.open(HOST, forgotten), "open and tryTake agree: the window is whole again, one slot is free");
        assertTrue(slots.tryTake(HOST, forgotten));
        slots.served(HOST);
        assertEquals(ParentHostSlots.PER_HOST_IN_FLIGHT, slots.window(HOST, clock.get()), "whole again once no busy answer renewed it");
        slots.failed(HOST);
        assertEquals(0, slots.tracked(), "and then forgotten like any idle host");
    }

    @Test
    void concurrentTakersNeverHoldMoreThanTheSlots() throws Exception {
        ParentHostSlots slots = new ParentHostSlots(() -> { });
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger takes = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 20_000; i++) {
                    if (slots.tryTake(HOST, System.nanoTime())) {
                        takes.incrementAndGet();
                        most.accumulateAndGet(holding.incrementAndGet(), Math::max);
                        holding.decrementAndGet();
                        slots.served(HOST);
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        start.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertTrue(takes.get() > 0, "some slots were taken");
        assertTrue(most.get() <= ParentHostSlots.PER_HOST_IN_FLIGHT, "at most the slots at once, saw " + most.get());
        assertEquals(0, slots.tracked(), "everything given back");
    }
}
