package dev.damselfly.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.oci.registry.ByteRange;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RangeHeaderTest {

    private static RangeHeader.Slice resolve(String header, long total) throws ProxyException {
        return RangeHeader.resolve(RangeHeader.parse(header).orElseThrow(), total).orElse(null);
    }

    @Test
    void singleRangesInEveryForm() throws Exception {
        assertEquals(Optional.empty(), RangeHeader.parse(null));
        assertEquals(ByteRange.of(0, 1), RangeHeader.parse("bytes=0-0").orElseThrow());
        assertEquals(ByteRange.of(100, 900), RangeHeader.parse("bytes=100-999").orElseThrow());
        assertEquals(ByteRange.from(5), RangeHeader.parse("bytes=5-").orElseThrow());
        assertEquals(ByteRange.suffix(10), RangeHeader.parse("bytes=-10").orElseThrow());
        assertEquals(ByteRange.of(1, 2), RangeHeader.parse(" Bytes = 1 - 2 ").orElseThrow());
    }

    @Test
    void resolutionAgainstTheBlobLength() throws Exception {
        assertEquals(new RangeHeader.Slice(0, 1), resolve("bytes=0-0", 100));
        assertEquals(new RangeHeader.Slice(99, 1), resolve("bytes=99-99", 100));
        assertEquals(new RangeHeader.Slice(90, 10), resolve("bytes=90-200", 100), "an end past the blob is cut");
        assertEquals(new RangeHeader.Slice(40, 60), resolve("bytes=40-", 100));
        assertEquals(new RangeHeader.Slice(70, 30), resolve("bytes=-30", 100));
        assertEquals(new RangeHeader.Slice(0, 100), resolve("bytes=-500", 100), "a suffix longer than the blob is the blob");
        assertEquals(null, resolve("bytes=100-", 100));
        assertEquals(null, resolve("bytes=100-150", 100));
        assertEquals(null, resolve("bytes=-1", 0));
        assertEquals(null, resolve("bytes=0-0", 0));
    }

    @Test
    void refusedWithReasons() {
        ProxyException multi = assertThrows(ProxyException.class, () -> RangeHeader.parse("bytes=0-1,5-6"));
        assertEquals(400, multi.status());
        assertTrue(multi.getMessage().contains("multiple"), multi.getMessage());
        for (String bad : new String[] {"items=0-1", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-1", "bytes=-0", "0-1",
                "bytes=99999999999999999999-"}) {
            ProxyException e = assertThrows(ProxyException.class, () -> RangeHeader.parse(bad), bad);
            assertEquals(400, e.status(), bad);
        }
    }
}
