package dev.damselfly.exchange.vortex;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The Vortex packet layout (spec dragonfly.md §2.5), big-endian throughout:
 *
 * <pre>
 * header   : id u8 | tag u8 | length u32                       (6 bytes; length = bytes of the value)
 * tag 0    : DownloadPiece  value = task id (64 ASCII hex) | piece number u32          (length 68)
 * tag 1    : PieceContent   value = M u32 | number u32 | offset u64 | length u64 | D u32 | digest (D)
 *                                   | P u32 | parent id (P) | traffic type u8 | cost s u64 | created_at s i64
 *            header length = 4 + M (the metadata only); then exactly {@code length} raw piece bytes follow
 * tag 254  : Close          (no value)
 * tag 255  : Error          value = code u8 | ':' | UTF-8 message                      (length 2 + message)
 * </pre>
 *
 * Encoders allocate from the given allocator (the caller owns and releases the result); decoders read a value
 * whose header has already been consumed and throw {@link VortexProtocolException} when it is malformed.
 */
public final class VortexCodec {
    /** Bytes in a packet header. */
    public static final int HEADER_LENGTH = 6;
    /** Characters (= bytes) of a task id on the wire. */
    public static final int TASK_ID_LENGTH = 64;
    /** Bytes in a DownloadPiece value: task id + u32 piece number. */
    public static final int DOWNLOAD_PIECE_LENGTH = TASK_ID_LENGTH + 4;
    /** Tag of DownloadPiece. */
    public static final int TAG_DOWNLOAD_PIECE = 0;
    /** Tag of PieceContent. */
    public static final int TAG_PIECE_CONTENT = 1;
    /** Tag of Close. */
    public static final int TAG_CLOSE = 254;
    /** Tag of Error. */
    public static final int TAG_ERROR = 255;
    /** Largest PieceContent metadata block (header length) we accept, bytes: 64 KiB. */
    public static final int MAX_METADATA_LENGTH = 64 << 10;
    /** Largest Error value we accept, bytes: 64 KiB. */
    public static final int MAX_ERROR_LENGTH = 64 << 10;
    /** Fixed part of the metadata after M: number, offset, length, D, P, traffic type, cost, created_at. */
    private static final int METADATA_FIXED = 45;

    private VortexCodec() {
    }

    /** Writes a 6-byte header. */
    public static void writeHeader(ByteBuf out, byte packetId, int tag, long length) {
        if (length < 0 || length > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("value length does not fit a u32: " + length);
        }
        out.writeByte(packetId);
        out.writeByte(tag);
        out.writeInt((int) length);
    }

    /** A complete DownloadPiece packet (74 bytes). */
    public static ByteBuf encodeDownloadPiece(ByteBufAllocator alloc, byte packetId, String taskId, int number) {
        checkTaskId(taskId);
        if (number < 0) {
            throw new IllegalArgumentException("piece number must be ≥ 0, was " + number);
        }
        ByteBuf out = alloc.buffer(HEADER_LENGTH + DOWNLOAD_PIECE_LENGTH);
        writeHeader(out, packetId, TAG_DOWNLOAD_PIECE, DOWNLOAD_PIECE_LENGTH);
        out.writeCharSequence(taskId, StandardCharsets.US_ASCII);
        out.writeInt(number);
        return out;
    }

    /** Reads a DownloadPiece value (exactly {@link #DOWNLOAD_PIECE_LENGTH} readable bytes). */
    public static DownloadPieceRequest decodeDownloadPiece(byte packetId, ByteBuf value) {
        if (value.readableBytes() != DOWNLOAD_PIECE_LENGTH) {
            throw new VortexProtocolException("DownloadPiece value must be " + DOWNLOAD_PIECE_LENGTH + " bytes, was "
                    + value.readableBytes());
        }
        String taskId = value.readCharSequence(TASK_ID_LENGTH, StandardCharsets.US_ASCII).toString();
        if (!isHex(taskId)) {
            throw new VortexProtocolException("task id is not 64 hex characters: " + printable(taskId));
        }
        long number = value.readUnsignedInt();
        if (number > Integer.MAX_VALUE) {
            throw new VortexProtocolException("piece number out of range: " + number);
        }
        return new DownloadPieceRequest(packetId, taskId, (int) number);
    }

    /** The header and metadata block of a PieceContent packet; the caller sends the raw piece bytes after it. */
    public static ByteBuf encodePieceContentHeader(ByteBufAllocator alloc, byte packetId, PieceMetadata m) {
        byte[] digest = m.digest().getBytes(StandardCharsets.UTF_8);
        byte[] parent = m.parentId().getBytes(StandardCharsets.UTF_8);
        int metadataLength = METADATA_FIXED + digest.length + parent.length;
        ByteBuf out = alloc.buffer(HEADER_LENGTH + 4 + metadataLength);
        writeHeader(out, packetId, TAG_PIECE_CONTENT, 4L + metadataLength);
        out.writeInt(metadataLength);
        out.writeInt(m.number());
        out.writeLong(m.offset());
        out.writeLong(m.length());
        out.writeInt(digest.length);
        out.writeBytes(digest);
        out.writeInt(parent.length);
        out.writeBytes(parent);
        out.writeByte(m.trafficType());
        out.writeLong(m.costSeconds());
        out.writeLong(m.createdAtSeconds());
        return out;
    }

    /** Reads a PieceContent value: the whole metadata block, starting with M. */
    public static PieceMetadata decodePieceMetadata(ByteBuf value) {
        int total = value.readableBytes();
        if (total < 4 + METADATA_FIXED) {
            throw new VortexProtocolException("PieceContent metadata of " + total + " bytes is shorter than the "
                    + (4 + METADATA_FIXED) + "-byte minimum");
        }
        long m = value.readUnsignedInt();
        if (m != total - 4) {
            throw new VortexProtocolException("PieceContent metadata length field says " + m + " but the header says "
                    + (total - 4));
        }
        long number = value.readUnsignedInt();
        long offset = value.readLong();
        long length = value.readLong();
        if (number > Integer.MAX_VALUE || offset < 0 || length < 0) {
            throw new VortexProtocolException("PieceContent number/offset/length out of range: " + number + "/"
                    + offset + "/" + length);
        }
        String digest = readSizedString(value, "digest");
        String parent = readSizedString(value, "parent id");
        if (value.readableBytes() != 17) {
            throw new VortexProtocolException("PieceContent metadata has " + value.readableBytes()
                    + " bytes after the parent id, expected 17");
        }
        int traffic = value.readUnsignedByte();
        long cost = value.readLong();
        long createdAt = value.readLong();
        return new PieceMetadata((int) number, offset, length, digest, parent, traffic, cost, createdAt);
    }

    /** A complete Error packet. */
    public static ByteBuf encodeError(ByteBufAllocator alloc, byte packetId, VortexErrorCode code, String message) {
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        ByteBuf out = alloc.buffer(HEADER_LENGTH + 2 + msg.length);
        writeHeader(out, packetId, TAG_ERROR, 2L + msg.length);
        out.writeByte(code.wire());
        out.writeByte(':');
        out.writeBytes(msg);
        return out;
    }

    /** Reads an Error value. */
    public static VortexError decodeError(ByteBuf value) {
        if (value.readableBytes() < 2) {
            throw new VortexProtocolException("Error value of " + value.readableBytes() + " bytes (need at least 2)");
        }
        int code = value.readUnsignedByte();
        int colon = value.readUnsignedByte();
        if (colon != ':') {
            throw new VortexProtocolException("Error value lacks ':' after the code (byte " + colon + ")");
        }
        String message = value.readCharSequence(value.readableBytes(), StandardCharsets.UTF_8).toString();
        return new VortexError(VortexErrorCode.fromWire(code), code, message);
    }

    /** @throws IllegalArgumentException unless {@code taskId} is 64 ASCII hex characters */
    public static void checkTaskId(String taskId) {
        if (taskId == null || !isHex(taskId)) {
            throw new IllegalArgumentException("Vortex task ids are 64 hex characters, not " + printable(taskId));
        }
    }

    private static boolean isHex(String s) {
        if (s.length() != TASK_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }

    private static String readSizedString(ByteBuf value, String what) {
        if (value.readableBytes() < 4) {
            throw new VortexProtocolException("PieceContent metadata ends before the " + what + " length");
        }
        long n = value.readUnsignedInt();
        if (n > value.readableBytes()) {
            throw new VortexProtocolException("PieceContent " + what + " length " + n + " exceeds the "
                    + value.readableBytes() + " bytes left in the metadata");
        }
        return value.readCharSequence((int) n, StandardCharsets.UTF_8).toString();
    }

    private static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return "'" + cut.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }
}
