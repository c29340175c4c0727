package dev.damselfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every value in the chart's values.yaml is documented: each key has a comment right above it, unless it
 * only groups other keys (then each of those needs one) or sits inside a documented value's block (a
 * documented {@code resources:} covers its {@code requests}/{@code limits}).
 */
class ValuesDocumentationTest {
    private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z0-9_.-]+):(.*)$");

    /** One key line of values.yaml. */
    record Key(int line, int indent, String name, boolean hasInlineValue, boolean commented) {
    }

    static List<Key> keys(List<String> lines) {
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = KEY.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            String previous = i > 0 ? lines.get(i - 1).strip() : "";
            String value = m.group(3).strip();
            boolean inline = !value.isEmpty() && !value.startsWith("#");
            keys.add(new Key(i + 1, m.group(1).length(), m.group(2), inline, previous.startsWith("#")));
        }
        return keys;
    }

    /** Keys without documentation, as "line: name". */
    static List<String> undocumented(List<String> lines) {
        List<Key> keys = keys(lines);
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Key key = keys.get(i);
            if (key.commented() || coveredByAncestor(keys, i)) {
                continue;
            }
            boolean groupsOthers = !key.hasInlineValue() && i + 1 < keys.size() && keys.get(i + 1).indent() > key.indent();
            if (!groupsOthers) {
                missing.add(key.line() + ": " + key.name());
            }
        }
        return missing;
    }

    /** Whether a documented key encloses this one (this key is part of its value). */
    private static boolean coveredByAncestor(List<Key> keys, int index) {
        int indent = keys.get(index).indent();
        for (int j = index - 1; j >= 0 && indent > 0; j--) {
            Key candidate = keys.get(j);
            if (candidate.indent() < indent) {
                if (candidate.commented()) {
                    return true;
                }
                indent = candidate.indent();
            }
        }
        return false;
    }

    @Test
    void checkerFindsAnUndocumentedValue() {
        List<String> sample = List.of(
                "# -- documented",
                "a: 1",
                "group:",
                "  # -- documented",
                "  b: 2",
                "  c: 3",
                "# -- a documented block",
                "resources:",
                "  requests:",
                "    cpu: 1");
        assertEquals(List.of("6: c"), undocumented(sample));
    }

    @Test
    void everyValueIsDocumented() throws IOException {
        List<String> lines = Files.readAllLines(Repo.CHART.resolve("values.yaml"), StandardCharsets.UTF_8);
        assertTrue(keys(lines).size() > 50, "values.yaml was not read");
        assertEquals(List.of(), undocumented(lines), "values without a comment");
    }

    @Test
    void everyDocumentedLeafStatesItsDefault() throws IOException {
        List<String> lines = Files.readAllLines(Repo.CHART.resolve("values.yaml"), StandardCharsets.UTF_8);
        List<String> missing = new ArrayList<>();
        for (Key key : keys(lines)) {
            if (!key.commented()) {
                continue;
            }
            StringBuilder comment = new StringBuilder();
            for (int i = key.line() - 2; i >= 0 && lines.get(i).strip().startsWith("#"); i--) {
                comment.insert(0, lines.get(i));
            }
            if (!comment.toString().contains("Default")) {
                missing.add(key.line() + ": " + key.name());
            }
        }
        assertEquals(List.of(), missing, "documented values that do not say their default");
    }
}
