package dev.damselfly.rafs.build;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The blob file being written, with its position and two running SHA-256 digests: over every byte (the OCI
 * layer digest) and over every byte but the chunk digest array (the nydus builder's blob id, §3.3). The two are one
 * digest until the first byte left out of the blob id, where the second starts as a copy of the first, so the blob's
 * data, which comes first, is hashed once, not twice. Every byte also goes to a copy stream, in order (a push of the
 * blob while it is built; not closed here); without a file (null), only there.
 */
final class BlobOutput implements Closeable {
    private final OutputStream out;
    private final OutputStream copy;
    private final MessageDigest all = sha256();
    /** The blob id's digest once it differs from {@link #all}; null until then. */
    private MessageDigest builder;
    private long position;

    /** @param file the blob file, or null to send the blob to {@code copy} alone */
    BlobOutput(Path file, OutputStream copy) throws IOException {
        this.out = file == null ? OutputStream.nullOutputStream()
                : new BufferedOutputStream(openEmpty(file), 256 * 1024);
        this.copy = copy;
    }

    /**
     * {@code file} opened for writing from its start, created when missing and emptied when not empty, without
     * {@code O_TRUNC} on a file that is already empty (the builder's temporary files, which
     * {@link java.nio.file.Files#createTempFile} made). On ext4 (default {@code auto_da_alloc}), closing a file that was
     * opened with {@code O_TRUNC} starts the write-back of all its dirty pages in the closing thread: about 40 ms for a
     * 100 MB blob at the end of every build, on the critical path.
     */
    static OutputStream openEmpty(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (channel.size() > 0) {
                channel.truncate(0);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return Channels.newOutputStream(channel);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** Bytes written so far = offset of the next byte. */
    long position() {
        return position;
    }

    void write(byte[] b, int off, int len) throws IOException {
        write(b, off, len, true);
    }

    void write(byte[] b) throws IOException {
        write(b, 0, b.length, true);
    }

    /** @param inBuilderId whether the bytes count towards the builder blob id (false only for {@code blob.digest}) */
    void write(byte[] b, int off, int len, boolean inBuilderId) throws IOException {
        out.write(b, off, len);
        copy.write(b, off, len);
        if (!inBuilderId && builder == null) {
            builder = clone(all);
        }
        all.update(b, off, len);
        if (inBuilderId && builder != null) {
            builder.update(b, off, len);
        }
        position += len;
    }

    /** Writes zeros up to the next multiple of {@code alignment}. */
    void padTo(int alignment) throws IOException {
        int pad = (int) ((alignment - position % alignment) % alignment);
        if (pad > 0) {
            write(new byte[pad]);
        }
    }

    /** SHA-256 over all bytes so far (the running digest continues). */
    byte[] allDigestSoFar() {
        return snapshot(all);
    }

    /** SHA-256 over all bytes so far except the digest array. */
    byte[] builderDigestSoFar() {
        return snapshot(builder == null ? all : builder);
    }

    private static byte[] snapshot(MessageDigest md) {
        return clone(md).digest();
    }

    private static MessageDigest clone(MessageDigest md) {
        try {
            return (MessageDigest) md.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 not cloneable", e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
