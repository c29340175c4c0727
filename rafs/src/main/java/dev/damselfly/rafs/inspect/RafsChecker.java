package dev.damselfly.rafs.inspect;

import dev.damselfly.rafs.BlobInfo;
import dev.damselfly.rafs.ChunkRef;
import dev.damselfly.rafs.RafsException;
import dev.damselfly.rafs.RafsImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code check}-style validation of a whole bootstrap (§6.3): walks every inode, decodes every directory,
 * symlink and xattr area, and maps every chunk of every regular file (which validates blob and chunk-info
 * indexes, chunk table records and sizes). Blob data is not read. The first problem ends the check with
 * its typed exception.
 */
public final class RafsChecker {
    /** Blob feature names in bit order, as {@code nydus-image check} prints them. */
    private static final String[][] FEATURES = {
        {"1", "aligned"}, {"2", "fs-meta"}, {"4", "chunk-v2"}, {"8", "zran"}, {"16", "separate"},
        {"32", "chunk-digest"}, {"64", "tarfs"}, {"128", "batch"}, {"256", "encrypted"},
        {"512", "is-chunkdict-generated"}, {"268435456", "tar-header"}, {"536870912", "toc"}, {"1073741824", "cap_toc"}};

    /**
     * What a successful check saw.
     *
     * @param entries     tree entries (names) including the root
     * @param files       regular-file names
     * @param directories directory names including the root
     * @param symlinks    symlink names
     * @param others      devices, FIFOs and sockets
     * @param chunkRefs   chunk references over all file names
     * @param distinctChunks distinct (blob, chunk index) pairs referenced
     * @param blobs       the image's blobs
     */
    public record Report(long entries, long files, long directories, long symlinks, long others, long chunkRefs,
                         long distinctChunks, List<BlobInfo> blobs) {

        /** Text in the style of {@code nydus-image check}. */
        public String render() {
            StringBuilder sb = new StringBuilder("RAFS filesystem metadata is valid, referenced data blobs:\n");
            for (BlobInfo b : blobs) {
                List<String> names = new ArrayList<>();
                for (String[] f : FEATURES) {
                    if (b.has(Long.parseLong(f[0]))) {
                        names.add(f[1]);
                    }
                }
                sb.append(String.format("\t %d: %s, compressed data size 0x%x, compressed file size 0x%x, uncompressed file size 0x%x, "
                        + "chunk size 0x%x, chunk count %d, features: %s%n", b.index(), b.blobId(), b.compressedSize(),
                        b.compressedSize(), b.uncompressedSize(), b.chunkSize(), b.chunkCount(), String.join(" ", names)));
            }
            sb.append(String.format("entries %d: %d files, %d directories, %d symlinks, %d other; %d chunk references, %d distinct chunks%n",
                    entries, files, directories, symlinks, others, chunkRefs, distinctChunks));
            return sb.toString();
        }
    }

    private RafsChecker() {
    }

    public static Report check(RafsImage image) throws RafsException {
        long[] n = new long[6];
        Set<Long> distinct = new HashSet<>();
        TreeWalker.walk(image, (path, depth, a) -> {
            n[0]++;
            image.xattrs(a.handle());
            switch (a.type()) {
                case REGULAR -> {
                    n[1]++;
                    for (ChunkRef c : image.chunks(a.handle())) {
                        n[5]++;
                        distinct.add(((long) c.blobIndex() << 32) | (c.chunkIndex() & 0xFFFFFFFFL));
                    }
                }
                case DIRECTORY -> n[2]++;
                case SYMLINK -> {
                    n[3]++;
                    image.readLink(a.handle());
                }
                default -> n[4]++;
            }
        });
        return new Report(n[0], n[1], n[2], n[3], n[4], n[5], distinct.size(), image.blobs());
    }
}
