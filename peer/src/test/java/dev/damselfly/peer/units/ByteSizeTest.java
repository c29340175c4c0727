package dev.damselfly.peer.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest
    @CsvSource({
        "0, 0", "4096, 4096", "4096B, 4096", "1b, 1",
        "1K, 1024", "1Ki, 1024", "1KiB, 1024", "1kib, 1024", "1KB, 1000", "1kB, 1000",
        "16MiB, 16777216", "16M, 16777216", "16 MiB, 16777216", "' 16MiB ', 16777216", "500MB, 500000000",
        "64MiB, 67108864", "1.5GiB, 1610612736", "2GB, 2000000000", "1TiB, 1099511627776", "1TB, 1000000000000",
        "0.5KiB, 512", ".5KiB, 512", "1.0005KiB, 1025"})
    void parsesNumbersWithUnits(String text, long bytes) {
        assertEquals(bytes, ByteSize.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MiB", "-1", "-1MiB", "1.2.3MiB", "12parsecs", "1 M i B", "1e6", "0x10", "1PiB"})
    void rejectsWhatIsNotASize(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void rejectsSizesBeyondALong() {
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("9999999TiB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse(null));
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0 B", "1023, 1023 B", "1024, 1.0 KiB", "1536, 1.5 KiB", "12897485, 12.3 MiB",
        "1048575, 1.0 MiB", "67108864, 64.0 MiB", "1610612736, 1.5 GiB", "1099511627776, 1.0 TiB"})
    void formatsBinaryUnitsWithOneDecimal(long bytes, String text) {
        assertEquals(text, ByteSize.format(bytes));
    }

    @Test
    void formatsRatesInMibPerSecond() {
        assertEquals("10.0 MiB/s", ByteSize.formatRate(20L << 20, 2.0));
        assertEquals("0.0 MiB/s", ByteSize.formatRate(100, 0));
    }

    @Test
    void formatAndParseAgree() {
        for (long size : new long[] {1L << 10, 3L << 20, 7L << 30}) {
            assertEquals(size, ByteSize.parse(ByteSize.format(size).replace(" ", "")));
        }
    }
}
