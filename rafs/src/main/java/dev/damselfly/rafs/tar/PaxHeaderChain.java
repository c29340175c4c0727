package dev.damselfly.rafs.tar;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Walks the header chain of one tar entry as it was stored (the 512-byte blocks from the end of the previous
 * entry's data to the start of this entry's data): PAX extended headers ({@code x}, Solaris {@code X}), PAX
 * global headers ({@code g}), GNU long name/link blocks ({@code L}, {@code K}) and finally the entry's own
 * header. PAX records ({@code "LEN KEY=VALUE\n"}) are returned with their values as raw bytes, which is what
 * binary extended attributes need. A record with an empty value deletes the key (POSIX pax), as Commons
 * Compress does.
 */
final class PaxHeaderChain {
    private static final int BLOCK = 512;

    /** Keys of the entry's local PAX headers with their raw values (global ones already applied). */
    final Map<String, byte[]> records;
    /**
     * Keys the entry's own headers deleted with an empty value (POSIX: this also hides a global value for this
     * entry; Commons Compress 1.28 keeps the global value there, so these keys may differ from its map).
     */
    final Set<String> deleted;

    private PaxHeaderChain(Map<String, byte[]> records, Set<String> deleted) {
        this.records = records;
        this.deleted = deleted;
    }

    /**
     * Parses {@code chain}; global ({@code g}) records update {@code globals} in place and apply to this entry.
     *
     * @return the entry's effective PAX records (globals overlaid by its own), or null when {@code chain} is not a
     *         well-formed header chain ending exactly with one ustar header
     */
    static PaxHeaderChain parse(byte[] chain, Map<String, byte[]> globals) {
        if (chain == null || chain.length < BLOCK || chain.length % BLOCK != 0) {
            return null;
        }
        Map<String, byte[]> local = new LinkedHashMap<>();
        int o = 0;
        while (o + BLOCK < chain.length) {
            byte type = chain[o + 156];
            long size = size(chain, o + 124);
            if (size < 0 || size > chain.length) {
                return null;
            }
            int body = o + BLOCK;
            long next = body + (size + BLOCK - 1) / BLOCK * BLOCK;
            if (next > chain.length - BLOCK) {
                return null;
            }
            if (type == 'x' || type == 'X') {
                if (!records(chain, body, (int) size, local)) {
                    return null;
                }
            } else if (type == 'g') {
                Map<String, byte[]> g = new LinkedHashMap<>();
                if (!records(chain, body, (int) size, g)) {
                    return null;
                }
                for (Map.Entry<String, byte[]> e : g.entrySet()) {
                    if (e.getValue().length == 0) {
                        globals.remove(e.getKey());
                    } else {
                        globals.put(e.getKey(), e.getValue());
                    }
                }
            } else if (type != 'L' && type != 'K') {
                return null;
            }
            o = (int) next;
        }
        if (o + BLOCK != chain.length) {
            return null;
        }
        Map<String, byte[]> effective = new LinkedHashMap<>(globals);
        Set<String> deleted = new HashSet<>();
        for (Map.Entry<String, byte[]> e : local.entrySet()) {
            if (e.getValue().length == 0) {
                effective.remove(e.getKey());
                deleted.add(e.getKey());
            } else {
                effective.put(e.getKey(), e.getValue());
            }
        }
        return new PaxHeaderChain(effective, deleted);
    }

    /** Parses {@code "LEN KEY=VALUE\n"} records; an empty value is kept (as an empty array) for the caller. */
    private static boolean records(byte[] b, int from, int size, Map<String, byte[]> out) {
        int o = from;
        int end = from + size;
        while (o < end) {
            if (b[o] == 0) {
                return true; // NUL padding after the last record
            }
            int p = o;
            long len = 0;
            while (p < end && b[p] >= '0' && b[p] <= '9') {
                len = len * 10 + (b[p] - '0');
                if (len > size) {
                    return false;
                }
                p++;
            }
            if (p == o || p >= end || b[p] != ' ' || o + len > end || len < (p - o) + 3) {
                return false;
            }
            int recEnd = (int) (o + len);
            if (b[recEnd - 1] != '\n') {
                return false;
            }
            int k = p + 1;
            int eq = k;
            while (eq < recEnd - 1 && b[eq] != '=') {
                eq++;
            }
            if (eq >= recEnd - 1) {
                return false;
            }
            String key = new String(b, k, eq - k, StandardCharsets.UTF_8);
            out.put(key, Arrays.copyOfRange(b, eq + 1, recEnd - 1));
            o = recEnd;
        }
        return true;
    }

    /** The ustar size field: octal (NUL/space terminated) or GNU base-256; -1 if malformed. */
    private static long size(byte[] h, int at) {
        if ((h[at] & 0x80) != 0) {
            long v = h[at] & 0x7F;
            for (int i = 1; i < 12; i++) {
                if (v > (Long.MAX_VALUE >>> 8)) {
                    return -1;
                }
                v = (v << 8) | (h[at + i] & 0xFF);
            }
            return v;
        }
        long v = 0;
        int i = 0;
        while (i < 12 && h[at + i] == ' ') {
            i++;
        }
        for (; i < 12; i++) {
            byte c = h[at + i];
            if (c == 0 || c == ' ') {
                break;
            }
            if (c < '0' || c > '7') {
                return -1;
            }
            v = v * 8 + (c - '0');
        }
        return v;
    }
}
