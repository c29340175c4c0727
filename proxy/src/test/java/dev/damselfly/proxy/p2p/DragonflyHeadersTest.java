package dev.damselfly.proxy.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DragonflyHeadersTest {

    private static DragonflyHeaders parse(String... nameValues) throws InvalidDragonflyHeaderException {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < nameValues.length; i += 2) {
            headers.put(nameValues[i], nameValues[i + 1]);
        }
        return DragonflyHeaders.parse(headers::get);
    }

    @Test
    void noHeadersGiveTheProxyDefaults() throws Exception {
        DragonflyHeaders parsed = parse();
        assertEquals(DragonflyHeaders.defaults(), parsed);
        assertEquals(6, parsed.priority());
        assertTrue(parsed.filteredQueryParams().contains("ns"));
        assertTrue(parsed.filteredQueryParams().contains("X-Amz-Signature"));
        assertFalse(parsed.useP2p());
        assertEquals(OptionalLong.empty(), parsed.pieceLength());
    }

    @Test
    void everyHonouredHeaderIsParsed() throws Exception {
        DragonflyHeaders parsed = parse(
                "x-dragonfly-tag", " release ",
                "X-Dragonfly-Application", "nydus",
                "X-Dragonfly-Priority", "0",
                "X-Dragonfly-Filtered-Query-Params", "Signature, Expires,,",
                "X-Dragonfly-Piece-Length", "8mib",
                "X-Dragonfly-Use-P2P", "TRUE",
                "X-Dragonfly-Prefetch", "false",
                "X-Dragonfly-Content-For-Calculating-Task-ID", "This is a test file",
                "X-Dragonfly-Enable-Task-ID-Based-Blob-Digest", "true",
                "X-Dragonfly-Output-Path", "/tmp/ignored");
        assertEquals(Optional.of("release"), parsed.tag());
        assertEquals(Optional.of("nydus"), parsed.application());
        assertEquals(0, parsed.priority());
        assertEquals(List.of("Signature", "Expires"), parsed.filteredQueryParams());
        assertEquals(OptionalLong.of(8L << 20), parsed.pieceLength());
        assertTrue(parsed.useP2p());
        assertEquals(Optional.of(false), parsed.prefetch());
        assertEquals(Optional.of("This is a test file"), parsed.contentForCalculatingTaskId());
        assertEquals(Optional.of(true), parsed.enableTaskIdBasedBlobDigest());
    }

    @Test
    void priorityMustBeAnIntegerFromZeroToSix() throws Exception {
        for (int p = 0; p <= 6; p++) {
            assertEquals(p, parse("X-Dragonfly-Priority", String.valueOf(p)).priority());
        }
        for (String bad : new String[] {"7", "-1", "high", "3.5", "99999999999"}) {
            InvalidDragonflyHeaderException e = assertThrows(InvalidDragonflyHeaderException.class,
                    () -> parse("X-Dragonfly-Priority", bad), bad);
            assertEquals(DragonflyHeaders.PRIORITY, e.header());
            assertTrue(e.getMessage().contains("0..6"), e.getMessage());
        }
    }

    @Test
    void pieceLengthIsAHumanSizeOfAtLeastFourMebibytes() throws Exception {
        assertEquals(4L << 20, parse("X-Dragonfly-Piece-Length", "4mib").pieceLength().getAsLong());
        assertEquals(4L << 20, parse("X-Dragonfly-Piece-Length", "4 MiB").pieceLength().getAsLong());
        assertEquals(64L << 20, parse("X-Dragonfly-Piece-Length", "64MiB").pieceLength().getAsLong());
        assertEquals(1L << 30, parse("X-Dragonfly-Piece-Length", "1gib").pieceLength().getAsLong());
        assertEquals(5_000_000L, parse("X-Dragonfly-Piece-Length", "5MB").pieceLength().getAsLong());
        assertEquals(6L << 20, parse("X-Dragonfly-Piece-Length", "6291456").pieceLength().getAsLong());
        assertEquals((long) (1.5 * (1L << 30)), parse("X-Dragonfly-Piece-Length", "1.5GiB").pieceLength().getAsLong());
        for (String tooSmall : new String[] {"1mib", "4mb", "4194303", "0"}) {
            InvalidDragonflyHeaderException e = assertThrows(InvalidDragonflyHeaderException.class,
                    () -> parse("X-Dragonfly-Piece-Length", tooSmall), tooSmall);
            assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains("minimum"), e.getMessage());
        }
        for (String garbage : new String[] {"big", "4 furlongs", "-4mib", "mib", "4.mib"}) {
            assertThrows(InvalidDragonflyHeaderException.class, () -> parse("X-Dragonfly-Piece-Length", garbage), garbage);
        }
        assertThrows(InvalidDragonflyHeaderException.class, () -> parse("X-Dragonfly-Piece-Length", "99999999tib"));
    }

    @Test
    void booleansAreTrueOrFalseOnly() throws Exception {
        assertFalse(parse("X-Dragonfly-Use-P2P", "false").useP2p());
        for (String header : new String[] {"X-Dragonfly-Use-P2P", "X-Dragonfly-Prefetch", "X-Dragonfly-Enable-Task-ID-Based-Blob-Digest"}) {
            InvalidDragonflyHeaderException e = assertThrows(InvalidDragonflyHeaderException.class, () -> parse(header, "yes"));
            assertEquals(header, e.header());
        }
    }

    @Test
    void theFamilyIsRecognisedCaseInsensitively() {
        assertTrue(DragonflyHeaders.isDragonflyHeader("X-Dragonfly-Registry"));
        assertTrue(DragonflyHeaders.isDragonflyHeader("x-dragonfly-priority"));
        assertFalse(DragonflyHeaders.isDragonflyHeader("Authorization"));
    }
}
