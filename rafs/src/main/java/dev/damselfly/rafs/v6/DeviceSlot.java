package dev.damselfly.rafs.v6;

import dev.damselfly.rafs.RafsFormatException;
import dev.damselfly.rafs.io.ByteRegion;
import java.nio.charset.StandardCharsets;

/**
 * A 128-byte EROFS device slot (§1.4).
 *
 * @param tag           blob id (NUL padding removed); empty for mkfs.erofs blob devices
 * @param blocks        device size in blocks
 * @param mappedBlkaddr start of the device in the concatenated block address space (blocks)
 */
public record DeviceSlot(String tag, long blocks, long mappedBlkaddr) {

    public static final int SIZE = 128;

    public static DeviceSlot read(ByteRegion r, long offset) throws RafsFormatException {
        r.check(offset, SIZE, "device slot");
        return new DeviceSlot(cString(r.bytes(offset, 64)), r.u32(offset + 64), r.u32(offset + 68));
    }

    static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.ISO_8859_1);
    }
}
