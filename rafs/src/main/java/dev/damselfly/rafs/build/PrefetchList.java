package dev.damselfly.rafs.build;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The prefetch table's entries (§1.6) from a list of paths, with {@code nydus-image --prefetch-policy fs}
 * rules: each line is trimmed; blank lines are ignored; a relative path, or a path equal to or below an earlier
 * one, is dropped with a warning; the rest keep their order. Paths are matched against the tree without
 * following symlinks (a path naming a symlink records the symlink); a path not in the tree is left out with a
 * warning (nydus-image leaves it out silently, because it may exist in another layer). Components {@code ""}
 * and {@code .} are ignored; {@code ..} never matches.
 */
final class PrefetchList {
    private static final Logger LOG = LoggerFactory.getLogger(PrefetchList.class);

    /**
     * What a list resolved to.
     *
     * @param inodes  prefetch table entries in order (the writer turns them into nids)
     * @param missing normalised paths that name nothing in the tree
     */
    record Resolved(List<FsInode> inodes, List<String> missing) {
    }

    private PrefetchList() {
    }

    /** The usable patterns as component lists, in order (see the class comment for what is dropped). */
    static List<List<String>> patterns(List<String> lines) {
        List<List<String>> out = new ArrayList<>();
        Set<List<String>> seen = new LinkedHashSet<>();
        for (String line : lines) {
            String t = line.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!t.startsWith("/")) {
                LOG.warn("prefetch path dropped: not absolute path={}", t);
                continue;
            }
            List<String> parts = new ArrayList<>();
            for (String p : t.split("/")) {
                if (!p.isEmpty() && !p.equals(".")) {
                    parts.add(p);
                }
            }
            boolean covered = false;
            for (int n = parts.size(); n >= 0 && !covered; n--) {
                covered = seen.contains(parts.subList(0, n));
            }
            if (covered) {
                LOG.warn("prefetch path dropped: covered by an earlier path path={}", t);
                continue;
            }
            seen.add(List.copyOf(parts));
            out.add(List.copyOf(parts));
        }
        return out;
    }

    /**
     * Which files' chunks the builder lays out together (after all other chunks of the blob): those at or below a
     * usable pattern of {@code lines}. Null when the list names the root (the default "prefetch everything", where a
     * separate region would be the whole blob) or nothing usable.
     */
    static java.util.function.Predicate<List<String>> layoutMatcher(List<String> lines) {
        Set<List<String>> patterns = new java.util.HashSet<>(patterns(lines));
        if (patterns.isEmpty() || patterns.contains(List.of())) {
            return null;
        }
        return path -> {
            for (int n = path.size(); n > 0; n--) {
                if (patterns.contains(path.subList(0, n))) {
                    return true;
                }
            }
            return false;
        };
    }

    /** Resolves {@code lines} against the tree under {@code root}. */
    static Resolved resolve(FsNode root, List<String> lines) {
        List<FsInode> inodes = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (List<String> parts : patterns(lines)) {
            FsNode n = root;
            for (String p : parts) {
                n = n.inode.isDir() ? n.children.get(p.getBytes(StandardCharsets.UTF_8)) : null;
                if (n == null) {
                    break;
                }
            }
            String path = "/" + String.join("/", parts);
            if (n == null) {
                LOG.warn("prefetch path not in the tree, left out path={}", path);
                missing.add(path);
            } else {
                inodes.add(n.inode);
            }
        }
        return new Resolved(List.copyOf(inodes), List.copyOf(missing));
    }
}
