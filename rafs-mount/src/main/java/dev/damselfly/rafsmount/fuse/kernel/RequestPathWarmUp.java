package dev.damselfly.rafsmount.fuse.kernel;

import static dev.damselfly.rafsmount.fuse.kernel.FuseAbi.*;

import dev.damselfly.rafs.FileType;
import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafs.build.LayerBuildResult;
import dev.damselfly.rafsmount.WarmUpImage;
import dev.damselfly.rafsmount.cache.BlobCache;
import dev.damselfly.rafsmount.fuse.InodeView;
import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.read.AccessTrace;
import dev.damselfly.rafsmount.read.ChunkLoader;
import dev.damselfly.rafsmount.read.FileReader;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A long-running process's (the node's) rehearsal of a mount's first requests, without mounting anything: a tree of
 * {@value #DIRECTORIES} directories of {@value #FILES_PER_DIRECTORY} small files and a few files of several READ
 * windows is built into a Nydus image in a scratch directory, then {@value #ROUNDS} times a fresh set of per-mount
 * state (request handler, file reader, chunk loader; one blob cache) answers what a kernel asks of a new mount during
 * a {@code find} + {@code stat} walk and a {@code tar} of it: READDIRPLUS of every directory, LOOKUP of every name,
 * and READs of every file in 128 KiB windows, twice. The request buffers are direct, as the kernel transport's are.
 *
 * <p>Why: those paths run per directory entry and per READ, so the JIT compiles them only after several mounts
 * (the node runs with C2 thresholds about ten times the JVM's, see the launcher); until then a mount's first walk
 * took about 1.5 times as long as on a compiled path (a 3000-file tree on 2 cores: about 0.05 s on each of a node's
 * first eight mounts, 0.03 s from about the tenth). The replies are checked for their shape, LOOKUP's node and READ's
 * length: a wrong one ends the rehearsal with an exception (the first mount then pays for what was not compiled).
 */
public final class RequestPathWarmUp {
    /** Directories in the rehearsal tree. */
    static final int DIRECTORIES = 24;
    /** Small files per directory (64 B - 2 KiB each). */
    static final int FILES_PER_DIRECTORY = 96;
    /** Files of {@value #LARGE_FILE_BYTES} bytes (read in several windows of one chunk). */
    static final int LARGE_FILES = 4;
    /** Size of each large file, bytes (300 KiB: one chunk, three READ windows). */
    static final int LARGE_FILE_BYTES = 300 << 10;
    /**
     * Rehearsals, each with fresh per-mount state: enough for the per-entry methods to pass the node's C2 thresholds
     * (-XX:Tier4InvocationThreshold=40000, -XX:Tier4CompileThreshold=50000; 2300 entries x 24 ~ 55000 calls).
     */
    static final int ROUNDS = 24;
    /** Size of each READ asked for, bytes (the kernel's reads of a file start at 128 KiB). */
    private static final int READ_WINDOW = 128 << 10;
    /** Size of each READDIRPLUS asked for, bytes (a page; the kernel may ask for more: that only means fewer requests). */
    private static final int DIRECTORY_WINDOW = 4096;
    private static final int READ_IN = 40;

    /** What a rehearsal did: requests answered, READ bytes returned. */
    public record Result(long requests, long readBytes) {
    }

    private final RafsRequests requests;
    private final ByteBuffer in;
    private final ByteBuffer out;
    private long unique;
    private long answered;
    private long readBytes;

    private RequestPathWarmUp(RafsRequests requests, ByteBuffer in, ByteBuffer out) {
        this.requests = requests;
        this.in = in;
        this.out = out;
    }

    /**
     * Runs the rehearsal in {@code scratch} (see {@link WarmUpImage#inScratch}).
     *
     * @throws IOException when the tree cannot be built or a reply is not what the kernel would accept
     */
    public static Result run(Path scratch) throws IOException {
        return WarmUpImage.inScratch(scratch, tree(), RequestPathWarmUp::rehearse);
    }

    private static Result rehearse(Path scratch, LayerBuildResult built) throws IOException {
        Path boot = built.bootstrap();
        // one pair of request and reply buffers for every round, direct as the kernel transport's are
        ByteBuffer in = ByteBuffer.allocateDirect(RafsRequests.MAX_WRITE + 4096).order(ByteOrder.nativeOrder());
        ByteBuffer out = ByteBuffer.allocateDirect(OUT_HEADER + RafsRequests.MAX_READ).order(ByteOrder.nativeOrder());
        long requests = 0;
        long bytes = 0;
        try (RafsImage image = RafsImages.open(boot);
             FileBlobSource blob = FileBlobSource.singleFile(built.blob());
             BlobCache cache = BlobCache.open(scratch.resolve("cache"), 1L << 30)) {
            InodeView view = new InodeView(image, 0, 0, 0);
            for (int round = 0; round < ROUNDS; round++) {
                ChunkLoader loader = new ChunkLoader(image, List.of(blob), cache, 1 << 20, MountMetrics.discarding());
                FileReader reader = new FileReader(image, loader, new AccessTrace(), 1 << 20);
                RafsRequests handler = new RafsRequests(image, view, reader, MountMetrics.discarding(), 1, false,
                        "warm-up");
                RequestPathWarmUp r = new RequestPathWarmUp(handler, in, out);
                List<long[]> files = r.walk();
                r.readAll(files);
                r.readAll(files);
                requests += r.answered;
                bytes += r.readBytes;
            }
        }
        return new Result(requests, bytes);
    }

    /** READDIRPLUS of every directory from the root and LOOKUP of every name; returns the files as {node, size}. */
    private List<long[]> walk() throws IOException {
        List<long[]> files = new ArrayList<>();
        ArrayDeque<Long> dirs = new ArrayDeque<>();
        dirs.add(ROOT_ID);
        while (!dirs.isEmpty()) {
            long dir = dirs.poll();
            long offset = 0;
            while (true) {
                int n = ask(READDIRPLUS, dir, readIn(offset, DIRECTORY_WINDOW));
                if (n <= OUT_HEADER) {
                    break;
                }
                int at = OUT_HEADER;
                while (at < n) {
                    long node = out.getLong(at);
                    int mode = out.getInt(at + 40 + 60);
                    long size = out.getLong(at + 40 + 8);
                    int d = at + ENTRY_OUT;
                    offset = out.getLong(d + 8);
                    int nameLength = out.getInt(d + 16);
                    if (nameLength <= 0 || d + DIRENT_HEADER + nameLength > n) {
                        throw new IOException("warm-up: malformed READDIRPLUS reply of node " + dir + " at " + at);
                    }
                    if (node != 0) {
                        byte[] name = new byte[nameLength];
                        out.get(d + DIRENT_HEADER, name);
                        lookup(dir, name, node);
                        FileType type = FileType.ofMode(mode);
                        if (type == FileType.DIRECTORY) {
                            dirs.add(node);
                        } else if (type == FileType.REGULAR) {
                            files.add(new long[] {node, size});
                        }
                    }
                    at += (ENTRY_OUT + DIRENT_HEADER + nameLength + 7) & ~7;
                }
            }
        }
        if (files.isEmpty()) {
            throw new IOException("warm-up: the walk found no files");
        }
        return files;
    }

    private void lookup(long parent, byte[] name, long expected) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(name.length + 1);
        body.put(name).put((byte) 0).flip();
        int n = ask(LOOKUP, parent, body);
        if (n != OUT_HEADER + ENTRY_OUT || out.getLong(OUT_HEADER) != expected) {
            throw new IOException("warm-up: LOOKUP of " + new String(name, StandardCharsets.UTF_8) + " in node " + parent
                    + " did not return node " + expected);
        }
    }

    /** READs every file in {@link #READ_WINDOW} windows. */
    private void readAll(List<long[]> files) throws IOException {
        for (long[] f : files) {
            for (long offset = 0; offset < f[1]; offset += READ_WINDOW) {
                int n = ask(READ, f[0], readIn(offset, READ_WINDOW));
                long want = Math.min(READ_WINDOW, f[1] - offset);
                if (n != OUT_HEADER + want) {
                    throw new IOException("warm-up: READ of node " + f[0] + " at " + offset + " returned " + n + " bytes");
                }
                readBytes += want;
            }
        }
    }

    private static ByteBuffer readIn(long offset, int size) {
        ByteBuffer b = ByteBuffer.allocate(READ_IN).order(ByteOrder.nativeOrder());
        b.putLong(0, 0).putLong(8, offset).putInt(16, size);
        return b;
    }

    /** Answers one request as the kernel transport does; returns the reply's length. */
    private int ask(int opcode, long nodeId, ByteBuffer body) {
        int len = IN_HEADER + body.remaining();
        in.clear();
        in.putInt(0, len).putInt(4, opcode).putLong(8, ++unique).putLong(16, nodeId).putInt(24, 0).putInt(28, 0)
                .putInt(32, 0).putInt(36, 0);
        for (int i = 0; i < body.remaining(); i++) {
            in.put(IN_HEADER + i, body.get(body.position() + i));
        }
        answered++;
        return requests.answer(in, len, out);
    }

    /** The rehearsal tree as a tar: small files of varied sizes in each directory, and the large files at the top. */
    static byte[] tree() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SplittableRandom random = new SplittableRandom(20261124);
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int d = 0; d < DIRECTORIES; d++) {
                String dir = String.format("d%02d/", d);
                TarArchiveEntry e = new TarArchiveEntry(dir);
                e.setMode(040755);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
                for (int f = 0; f < FILES_PER_DIRECTORY; f++) {
                    byte[] content = new byte[64 + random.nextInt(2048 - 64)];
                    random.nextBytes(content);
                    WarmUpImage.addFile(tar, dir + "file-" + f + ".dat", content);
                }
            }
            for (int f = 0; f < LARGE_FILES; f++) {
                byte[] content = new byte[LARGE_FILE_BYTES];
                random.nextBytes(content);
                WarmUpImage.addFile(tar, "large-" + f + ".dat", content);
            }
        }
        return bytes.toByteArray();
    }
}
