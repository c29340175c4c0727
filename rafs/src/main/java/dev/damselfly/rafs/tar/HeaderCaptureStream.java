package dev.damselfly.rafs.tar;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Sits under Commons Compress's tar reader, counts every byte it consumes and keeps a copy of the bytes from a
 * given stream position on: the header chain (PAX {@code x}/{@code g} records, GNU long names, the ustar header)
 * of the next entry. Commons Compress decodes PAX values as UTF-8 strings; this copy lets
 * {@link PaxHeaderChain} recover their exact bytes. Only header bytes are copied: data before the capture
 * position passes through untouched.
 */
final class HeaderCaptureStream extends FilterInputStream {
    /** Most header-chain bytes kept for one entry: 16 MiB (a PAX header this large is refused). */
    static final int MAX_CAPTURE = 16 << 20;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream(2048);
    private final byte[] scratch = new byte[8192];
    private long position;
    private long captureFrom;
    private boolean overflowed;

    HeaderCaptureStream(InputStream in) {
        super(in);
    }

    /** Bytes consumed so far = stream position of the next byte. */
    long position() {
        return position;
    }

    /** Forgets what was captured and keeps the bytes at stream positions ≥ {@code from} from now on. */
    void captureFrom(long from) {
        captureFrom = from;
        captured.reset();
        overflowed = false;
    }

    /** Position where the current capture starts. */
    long captureStart() {
        return captureFrom;
    }

    /** The bytes captured since {@link #captureFrom}, or null when more than {@link #MAX_CAPTURE} arrived. */
    byte[] captured() {
        return overflowed ? null : captured.toByteArray();
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            scratch[0] = (byte) b;
            record(scratch, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            record(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        if (position + n <= captureFrom) {
            long s = in.skip(n);
            if (s > 0) {
                position += s;
            }
            return Math.max(0, s);
        }
        // the skipped range reaches the capture window: read it so that it is recorded
        int r = read(scratch, 0, (int) Math.min(n, scratch.length));
        return Math.max(0, r);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int limit) {
        // positions would go wrong: not supported
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    private void record(byte[] b, int off, int n) {
        long start = position;
        position += n;
        if (position <= captureFrom || overflowed) {
            return;
        }
        int from = (int) Math.max(0, captureFrom - start);
        if (captured.size() + (long) (n - from) > MAX_CAPTURE) {
            overflowed = true;
            captured.reset();
            return;
        }
        captured.write(b, off + from, n - from);
    }
}
