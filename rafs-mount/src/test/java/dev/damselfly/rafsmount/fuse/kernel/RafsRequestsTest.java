package dev.damselfly.rafsmount.fuse.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.damselfly.rafs.RafsImage;
import dev.damselfly.rafs.RafsImages;
import dev.damselfly.rafsmount.fuse.InodeView;
import dev.damselfly.rafsmount.metrics.MountMetrics;
import dev.damselfly.rafsmount.read.AccessTrace;
import dev.damselfly.rafsmount.read.ChunkLoader;
import dev.damselfly.rafsmount.read.FileReader;
import dev.damselfly.rafsmount.source.FileBlobSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel protocol's encoding, request by request, over the nydus v6 fixture ({@code /lib.rs}, {@code /sync_io.rs};
 * root nid 128): the bytes a kernel would read, checked field by field against {@code linux/fuse.h}'s layouts.
 */
class RafsRequestsTest {
    private static final Path FIXTURES = Path.of(System.getProperty("damselfly.fixtures"));
    private static final long TIMEOUT = 3600;
    private static final long LIB_RS_BYTES = 16931;

    private RafsImage image;
    private FileBlobSource blobs;
    private RafsRequests requests;
    private final AccessTrace trace = new AccessTrace();
    private final ByteBuffer out = ByteBuffer.allocate(FuseAbi.OUT_HEADER + RafsRequests.MAX_READ).order(ByteOrder.nativeOrder());
    private long unique;

    @BeforeEach
    void open() throws Exception {
        image = RafsImages.open(FIXTURES.resolve("dragonflyoss-nydus/tests/texture/bootstrap/rafs-v6-2.2.boot"));
        blobs = FileBlobSource.directory(FIXTURES.resolve("dragonflyoss-nydus/tests/texture/blobs"));
        ChunkLoader loader = new ChunkLoader(image, List.of(blobs), null, 1 << 20);
        FileReader reader = new FileReader(image, loader, trace, 1 << 20);
        requests = new RafsRequests(image, new InodeView(image, 0, 0, 1_000), reader, MountMetrics.discarding(), TIMEOUT,
                false, "test");
    }

    @AfterEach
    void close() throws Exception {
        blobs.close();
        image.close();
    }

    /** Answers one request; returns the reply length (0: none). The reply is in {@link #out}. */
    private int ask(int opcode, long nodeId, ByteBuffer body) {
        int len = FuseAbi.IN_HEADER + body.remaining();
        ByteBuffer in = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        in.putInt(len).putInt(opcode).putLong(++unique).putLong(nodeId).putInt(0).putInt(0).putInt(1).putShort((short) 0)
                .putShort((short) 0).put(body.duplicate());
        int n = requests.answer(in, len, out);
        if (n > 0) {
            assertEquals(n, out.getInt(0), "out_header.len");
            assertEquals(unique, out.getLong(8), "out_header.unique");
        }
        return n;
    }

    private static ByteBuffer body(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.nativeOrder());
    }

    private static ByteBuffer name(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        return body(b.length + 1).put(b).put((byte) 0).flip();
    }

    private static ByteBuffer init(int minor, int flags) {
        return body(64).putInt(7).putInt(minor).putInt(128 << 10).putInt(flags).putInt(0).position(64).flip();
    }

    private static ByteBuffer readIn(long offset, int size) {
        return body(40).putLong(0).putLong(offset).putInt(size).position(40).flip();
    }

    private int error() {
        return out.getInt(4);
    }

    @Test
    void initRefusesAKernelOlderThan7_28() {
        assertEquals(FuseAbi.OUT_HEADER, ask(FuseAbi.INIT, 0, init(27, -1)));
        assertEquals(-FuseAbi.EPROTO, error());
        CompletionException e = assertThrows(CompletionException.class, () -> requests.started().join());
        assertTrue(e.getCause().getMessage().contains("7.27"), e.getCause().getMessage());
    }

    @Test
    void initAcceptsANewerKernelAtItsOwnMinorWithOnlyTheFlagsItWants() {
        int writebackCache = 1 << 16;
        assertEquals(FuseAbi.OUT_HEADER + FuseAbi.INIT_OUT, ask(FuseAbi.INIT, 0, init(44, -1)));
        assertEquals(0, error());
        int b = FuseAbi.OUT_HEADER;
        assertEquals(7, out.getInt(b));
        assertEquals(FuseAbi.MAX_MINOR, out.getInt(b + 4));
        assertEquals(128 << 10, out.getInt(b + 8), "max_readahead as the kernel offered");
        int flags = out.getInt(b + 12);
        assertEquals(FuseAbi.DO_READDIRPLUS, flags & FuseAbi.DO_READDIRPLUS);
        assertEquals(FuseAbi.MAX_PAGES, flags & FuseAbi.MAX_PAGES);
        assertEquals(0, flags & writebackCache, "a read-only filesystem asks for no write-back cache");
        assertEquals(256, out.getShort(b + 28), "max_pages: 1 MiB requests");
        assertEquals(1, out.getInt(b + 24), "time_gran");
        assertFalse(requests.started().isDone(), "live only once the reply has reached the kernel");
        requests.replied(FuseAbi.INIT);
        assertTrue(requests.started().isDone());
        ask(FuseAbi.INIT, 0, init(44, FuseAbi.ASYNC_READ));
        assertEquals(FuseAbi.ASYNC_READ, out.getInt(b + 12), "never a flag the kernel did not offer");
    }

    @Test
    void lookupGivesTheEntryAndAMissingNameANegativeEntry() {
        assertEquals(FuseAbi.OUT_HEADER + FuseAbi.ENTRY_OUT, ask(FuseAbi.LOOKUP, FuseAbi.ROOT_ID, name("lib.rs")));
        int e = FuseAbi.OUT_HEADER;
        long node = out.getLong(e);
        assertEquals(133 + 2, node, "nid 133 is node 135");
        assertEquals(TIMEOUT, out.getLong(e + 16), "entry_valid");
        assertEquals(TIMEOUT, out.getLong(e + 24), "attr_valid");
        int attr = e + 40;
        assertEquals(133, out.getLong(attr), "ino (the nid)");
        assertEquals(LIB_RS_BYTES, out.getLong(attr + 8));
        assertEquals((LIB_RS_BYTES + 511) / 512, out.getLong(attr + 16), "blocks");
        assertEquals(1676819553L, out.getLong(attr + 32), "mtime");
        assertEquals(628661334, out.getInt(attr + 52), "mtimensec");
        assertEquals(0100644, out.getInt(attr + 60), "mode");
        assertEquals(1, out.getInt(attr + 64), "nlink");
        assertEquals(4096, out.getInt(attr + 80), "blksize");

        assertEquals(FuseAbi.OUT_HEADER + FuseAbi.ATTR_OUT, ask(FuseAbi.GETATTR, node, body(16)));
        assertEquals(LIB_RS_BYTES, out.getLong(FuseAbi.OUT_HEADER + 16 + 8));

        assertEquals(FuseAbi.OUT_HEADER + FuseAbi.ENTRY_OUT, ask(FuseAbi.LOOKUP, FuseAbi.ROOT_ID, name("absent")));
        assertEquals(0, error());
        assertEquals(0, out.getLong(e), "node 0: negative");
        assertEquals(TIMEOUT, out.getLong(e + 16), "cached as long as a positive entry");

        assertEquals(FuseAbi.OUT_HEADER, ask(FuseAbi.LOOKUP, node, name("below")));
        assertEquals(-FuseAbi.ENOTDIR, error());
    }

    @Test
    void readdirPlusAndPlainContinueFromTheOffsetOfTheLastEntry() {
        for (int opcode : new int[] {FuseAbi.READDIRPLUS, FuseAbi.READDIR}) {
            List<String> names = new ArrayList<>();
            long offset = 0;
            for (int replies = 0; replies < 10; replies++) {
                int n = ask(opcode, FuseAbi.ROOT_ID, readIn(offset, 200)) - FuseAbi.OUT_HEADER; // room for one entry
                if (n == 0) {
                    break;
                }
                int at = FuseAbi.OUT_HEADER;
                int end = at + n;
                while (at < end) {
                    int dirent = at + (opcode == FuseAbi.READDIRPLUS ? FuseAbi.ENTRY_OUT : 0);
                    int len = out.getInt(dirent + 16);
                    byte[] nm = new byte[len];
                    out.get(dirent + 24, nm);
                    String s = new String(nm, StandardCharsets.UTF_8);
                    names.add(s);
                    offset = out.getLong(dirent + 8);
                    int type = out.getInt(dirent + 20);
                    assertEquals(s.startsWith(".") ? 4 : 8, type, "DT_DIR or DT_REG of " + s);
                    if (opcode == FuseAbi.READDIRPLUS && !s.startsWith(".")) {
                        assertEquals(out.getLong(dirent), out.getLong(at + 40), "the dirent's ino is the entry's");
                        assertTrue(out.getLong(at) > 2, "a real node id for " + s);
                    }
                    at += FuseAbi.align8((dirent - at) + 24 + len);
                }
            }
            assertEquals(List.of(".", "..", "lib.rs", "sync_io.rs"), names, FuseAbi.opcodeName(opcode));
        }
    }

    @Test
    void readGivesTheFileBytesAndNothingPastTheEnd() throws Exception {
        ask(FuseAbi.LOOKUP, FuseAbi.ROOT_ID, name("lib.rs"));
        long node = out.getLong(FuseAbi.OUT_HEADER);
        int n = ask(FuseAbi.READ, node, readIn(0, 1 << 20)) - FuseAbi.OUT_HEADER;
        assertEquals(LIB_RS_BYTES, n);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(out.array(), out.arrayOffset() + FuseAbi.OUT_HEADER, n);
        assertEquals("1810eba864521293bb0d6b55a3c82318d4d89f294ed761c456d9088a17de0c69", HexFormat.of().formatHex(sha.digest()));
        assertEquals(List.of("/lib.rs"), trace.paths(), "the access trace names the path the kernel looked up");
        assertEquals(FuseAbi.OUT_HEADER, ask(FuseAbi.READ, node, readIn(LIB_RS_BYTES, 4096)));
        assertEquals(0, error());
        assertEquals(FuseAbi.OUT_HEADER, ask(FuseAbi.READ, FuseAbi.ROOT_ID, readIn(0, 4096)));
        assertEquals(-FuseAbi.EINVAL, error(), "a directory is not read");
    }

    @Test
    void everyOtherRequestGetsAClearAnswerOrNone() {
        assertEquals(FuseAbi.OUT_HEADER + FuseAbi.GETXATTR_OUT, ask(FuseAbi.LISTXATTR, FuseAbi.ROOT_ID, body(8)));
        assertEquals(0, out.getInt(FuseAbi.OUT_HEADER), "no xattrs: an empty list");
        ByteBuffer getxattr = body(8 + 10).putInt(0).putInt(0).put("user.none".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).flip();
        ask(FuseAbi.GETXATTR, FuseAbi.ROOT_ID, getxattr);
        assertEquals(-FuseAbi.ENODATA, error());
        ask(FuseAbi.STATFS, FuseAbi.ROOT_ID, body(0));
        assertEquals(3, out.getLong(FuseAbi.OUT_HEADER + 24), "files: the image's inodes");
        assertEquals(255, out.getInt(FuseAbi.OUT_HEADER + 44), "namelen");
        for (int write : new int[] {FuseAbi.WRITE, FuseAbi.MKDIR, FuseAbi.UNLINK, FuseAbi.SETATTR, FuseAbi.CREATE}) {
            ask(write, FuseAbi.ROOT_ID, body(64));
            assertEquals(-FuseAbi.EROFS, error(), FuseAbi.opcodeName(write));
        }
        for (int skipped : new int[] {FuseAbi.OPEN, FuseAbi.OPENDIR, FuseAbi.FLUSH, 9999}) {
            ask(skipped, FuseAbi.ROOT_ID, body(16));
            assertEquals(-FuseAbi.ENOSYS, error(), FuseAbi.opcodeName(skipped));
        }
        assertEquals(0, ask(FuseAbi.FORGET, FuseAbi.ROOT_ID, body(8)), "FORGET takes no reply");
        assertEquals(0, ask(FuseAbi.INTERRUPT, 0, body(8)), "INTERRUPT takes no reply");
    }
}
