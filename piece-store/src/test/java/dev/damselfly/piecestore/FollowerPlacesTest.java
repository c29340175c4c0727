package dev.damselfly.piecestore;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which pieces the readers following a task let a downloader fetch now. */
class FollowerPlacesTest {
    @Test
    void eachReaderHoldsBackOnlyThePiecesOfItsOwnRangeBeyondItsWindow() {
        // a client streaming the whole task at piece 3, and a range reader at piece 40 of [40, 60]
        FollowerPlaces places = FollowerPlaces.of(List.of(place(3, 99), place(40, 60)));
        assertTrue(places.allows(3, 8));
        assertTrue(places.allows(10, 8), "7 past the stream's place");
        assertFalse(places.allows(11, 8), "8 past it");
        assertFalse(places.allows(30, 8));
        assertFalse(places.allows(45, 8), "within the range reader's window, but far past the stream's");
        assertTrue(places.allows(2, 8), "behind the stream: nobody will read it, nothing to hold back");
        FollowerPlaces rangeOnly = FollowerPlaces.of(List.of(place(40, 60)));
        assertTrue(rangeOnly.allows(47, 8));
        assertFalse(rangeOnly.allows(48, 8));
        assertTrue(rangeOnly.allows(61, 8), "past its range");
        assertTrue(rangeOnly.allows(5, 8), "before its range");
        assertTrue(FollowerPlaces.NONE.allows(1_000, 1));
        assertTrue(FollowerPlaces.of(List.of()).isEmpty());
    }

    private static RecentPieces.Place place(int next, int last) {
        return new RecentPieces.Place(next, last, 0);
    }
}
