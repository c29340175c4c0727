package dev.damselfly.rafs.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Extended attributes keep their exact bytes through {@link LayerTarReader}, whatever the PAX header holds:
 * values that are not UTF-8 (and contain NUL, newline and {@code =}), libarchive's base64 form, global headers,
 * GNU long names before the PAX header, and entries whose data the caller skips.
 */
class PaxXattrTest {
    private static final byte[] BINARY = HexFormat.of().parseHex("00ff80fe0a3d0dc3280001");
    /** A v2 security.capability for cap_net_raw+ep, as setcap writes it (not valid UTF-8). */
    private static final byte[] CAPABILITY = HexFormat.of().parseHex("0100000200200000000000000000000000000000");

    private static Map<String, List<TarXattr>> read(byte[] tar, boolean readContent) throws IOException {
        Map<String, List<TarXattr>> out = new LinkedHashMap<>();
        try (LayerTarReader r = LayerTarReader.open(new ByteArrayInputStream(tar))) {
            for (LayerTarEntry e = r.next(); e != null; e = r.next()) {
                if (readContent && e.kind() == TarEntryKind.REGULAR) {
                    assertEquals(e.size(), r.content().readAllBytes().length, e.rawName());
                }
                out.put(e.pathString(), e.xattrs());
            }
        }
        return out;
    }

    private static byte[] value(List<TarXattr> xs, String name) {
        return xs.stream().filter(x -> x.name().equals(name)).map(TarXattr::value).findFirst().orElse(null);
    }

    @Test
    void binarySchilyValuesKeepEveryByte() throws IOException {
        byte[] tar = new RawTarWriter()
                .entry("lead.txt", '0', new byte[700])
                .pax('x', RawTarWriter.record("SCHILY.xattr.user.bin", BINARY),
                        RawTarWriter.record("SCHILY.xattr.security.capability", CAPABILITY),
                        RawTarWriter.record("SCHILY.xattr.user.text", "héllo".getBytes(StandardCharsets.UTF_8)))
                .entry("ping", '0', "ping".getBytes(StandardCharsets.UTF_8))
                .entry("tail.txt", '0', new byte[3])
                .finish();
        for (boolean readContent : new boolean[] {true, false}) {
            Map<String, List<TarXattr>> m = read(tar, readContent);
            List<TarXattr> xs = m.get("ping");
            assertEquals(3, xs.size(), xs.toString());
            assertArrayEquals(BINARY, value(xs, "user.bin"));
            assertArrayEquals(CAPABILITY, value(xs, "security.capability"));
            assertArrayEquals("héllo".getBytes(StandardCharsets.UTF_8), value(xs, "user.text"));
            assertEquals(List.of(), m.get("lead.txt"));
            assertEquals(List.of(), m.get("tail.txt"));
        }
    }

    @Test
    void libarchiveBase64FormIsDecodedAndSchilyWinsWhenBothArePresent() throws IOException {
        byte[] tar = new RawTarWriter()
                .pax('x', RawTarWriter.record("LIBARCHIVE.xattr.user.a%20b", "AP+A/g".getBytes(StandardCharsets.US_ASCII)),
                        RawTarWriter.record("LIBARCHIVE.xattr.user.both", "dmFsdWU".getBytes(StandardCharsets.US_ASCII)),
                        RawTarWriter.record("SCHILY.xattr.user.both", BINARY))
                .entry("f", '0', new byte[0])
                .finish();
        List<TarXattr> xs = read(tar, true).get("f");
        assertEquals(2, xs.size(), xs.toString());
        assertArrayEquals(HexFormat.of().parseHex("00ff80fe"), value(xs, "user.a b"));
        assertArrayEquals(BINARY, value(xs, "user.both"));
    }

    @Test
    void globalHeadersApplyToLaterEntriesAndAnEmptyLocalValueDeletes() throws IOException {
        byte[] tar = new RawTarWriter()
                .entry("before", '0', new byte[10])
                .pax('g', RawTarWriter.record("SCHILY.xattr.user.g", BINARY))
                .entry("a", '0', new byte[513])
                .pax('x', RawTarWriter.record("SCHILY.xattr.user.g", new byte[0]),
                        RawTarWriter.record("SCHILY.xattr.user.own", CAPABILITY))
                .entry("b", '0', new byte[0])
                .entry("c", '5', new byte[0])
                .finish();
        Map<String, List<TarXattr>> m = read(tar, true);
        assertEquals(List.of(), m.get("before"));
        assertArrayEquals(BINARY, value(m.get("a"), "user.g"));
        assertEquals(1, m.get("b").size(), m.get("b").toString());
        assertNull(value(m.get("b"), "user.g"));
        assertArrayEquals(CAPABILITY, value(m.get("b"), "user.own"));
        assertArrayEquals(BINARY, value(m.get("c"), "user.g"));
    }

    @Test
    void gnuLongNameBeforeThePaxHeaderIsWalkedOver() throws IOException {
        String longName = "d/" + "n".repeat(150);
        byte[] tar = new RawTarWriter()
                .entry("././@LongLink", 'L', (longName + "\0").getBytes(StandardCharsets.UTF_8))
                .pax('x', RawTarWriter.record("SCHILY.xattr.trusted.t", BINARY))
                .entry(longName.substring(0, 100), '0', new byte[5])
                .finish();
        Map<String, List<TarXattr>> m = read(tar, false);
        assertNotNull(m.get(longName), m.keySet().toString());
        assertArrayEquals(BINARY, value(m.get(longName), "trusted.t"));
    }
}
