package dev.damselfly.peer.convert;

import dev.damselfly.oci.registry.BlobUpload;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A blob pushed while it is written: the bytes written here are gathered into chunks of {@code chunkBytes}, and a
 * sender thread appends each full chunk to the registry upload while the writer goes on; the last, shorter chunk goes
 * when the writer is done ({@link #finish}). At most three chunks are in memory (one filling, one waiting, one being
 * sent): a writer faster than the registry waits for it. A failed send fails the writer's next write; {@link #abandon}
 * stops the sender and cancels the upload. The writer side is one thread.
 */
final class StreamedBlobPush extends OutputStream {
    /**
     * Bytes per PATCH of a streamed push (every one but the last): 8 MiB, above the 5 MiB some registries require;
     * the push holds up to three (24 MiB), and sends at most one after the writer is done.
     */
    static final int DEFAULT_CHUNK_BYTES = 8 << 20;
    /** How often a writer waiting for the sender checks whether the sender failed, milliseconds: 100. */
    private static final long POLL_MILLIS = 100;
    private static final Chunk END = new Chunk(new byte[0], 0);

    private record Chunk(byte[] bytes, int length) {
    }

    private final BlobUpload upload;
    private final int chunkBytes;
    private final BlockingQueue<Chunk> toSend = new ArrayBlockingQueue<>(1);
    private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(2);
    private final Thread sender;
    private volatile Throwable failure;
    private volatile boolean sent;
    private byte[] filling;
    private int filled;
    private boolean ended;

    /**
     * @param upload     the open upload session the chunks are appended to (completed or cancelled by the caller)
     * @param chunkBytes bytes per chunk (every one but the last)
     * @param name       for the sender thread's name and errors (the layer)
     */
    StreamedBlobPush(BlobUpload upload, int chunkBytes, String name) {
        if (chunkBytes <= 0) {
            throw new IllegalArgumentException("chunkBytes must be positive: " + chunkBytes);
        }
        this.upload = upload;
        this.chunkBytes = chunkBytes;
        this.sender = new Thread(this::send, "blob-push " + name);
        sender.setDaemon(true);
        sender.start();
    }

    private void send() {
        try {
            while (true) {
                Chunk c = toSend.take();
                if (c == END) {
                    break;
                }
                upload.append(c.bytes(), 0, c.length());
                spare.offer(c.bytes());
            }
            sent = true;
        } catch (InterruptedException e) {
            failure = e;
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            toSend.clear(); // a writer waiting to hand over a chunk sees the failure
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (ended) {
            throw new IOException("blob push: written after the end");
        }
        while (len > 0) {
            if (filling == null) {
                byte[] reused = spare.poll();
                filling = reused != null ? reused : new byte[chunkBytes];
                filled = 0;
            }
            int n = Math.min(len, chunkBytes - filled);
            System.arraycopy(b, off, filling, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == chunkBytes) {
                handOver(new Chunk(filling, filled));
                filling = null;
            }
        }
    }

    private void handOver(Chunk c) throws IOException {
        try {
            while (!toSend.offer(c, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                checkSender();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("blob push: interrupted while handing over a chunk");
        }
        checkSender();
    }

    private void checkSender() throws IOException {
        Throwable f = failure;
        if (f != null) {
            throw new IOException("blob push failed after " + upload.uploaded() + " bytes: " + f, f);
        }
    }

    /** Ends the data and waits until the registry has acknowledged every byte; throws when a send failed. */
    void finish() throws IOException {
        if (!ended) {
            if (filling != null && filled > 0) {
                handOver(new Chunk(filling, filled));
            }
            filling = null;
            handOver(END);
            ended = true;
        }
        try {
            sender.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("blob push: interrupted while waiting for the last chunk");
        }
        checkSender();
        if (!sent) {
            throw new IOException("blob push: the sender stopped before the end");
        }
    }

    /** Bytes the registry has acknowledged (valid once {@link #finish} returned). */
    long uploaded() {
        return upload.uploaded();
    }

    /**
     * Gives up: the sender stops after the chunk it is sending, and the upload session is cancelled. Safe to call at
     * any time, also after {@link #finish}.
     */
    void abandon() {
        ended = true;
        filling = null;
        toSend.clear();
        toSend.offer(END);
        try {
            sender.join(TimeUnit.SECONDS.toMillis(60));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!sender.isAlive()) {
            upload.cancel(); // BlobUpload is one thread's: only once the sender is gone
        }
    }

    /** Does nothing: the data ends with {@link #finish}, a failure with {@link #abandon}. */
    @Override
    public void close() {
    }
}
