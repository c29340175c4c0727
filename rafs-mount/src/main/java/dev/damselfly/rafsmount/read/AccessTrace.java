package dev.damselfly.rafsmount.read;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The order in which files were first read (one entry per path, the first read wins), e.g. to build a
 * prefetch list for the next start of the same image. Thread-safe.
 */
public final class AccessTrace {
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();

    /** Records a read of {@code path} (absolute within the image); later reads of it change nothing. */
    public void recordRead(String path) {
        if (seen.add(path)) {
            order.add(path);
        }
    }

    /** Paths in first-read order. */
    public List<String> paths() {
        return new ArrayList<>(order);
    }

    /** Writes {@link #paths()} to {@code file}, one path per line (atomically replaced). */
    public void export(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder sb = new StringBuilder();
        for (String p : order) {
            sb.append(p).append('\n');
        }
        Files.writeString(tmp, sb, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
