package dev.damselfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Runs the node pods' containerd init container as the kubelet would: its command with {@code /bin/sh},
 * the script from the rendered ConfigMap, its environment with {@code $(VAR)} references expanded, and
 * containerd's hosts directory replaced by a temporary one. Returns the hosts.toml files it wrote, parsed.
 */
final class HostsScript {
    /** How long the script may take, seconds. */
    private static final long TIMEOUT_SECONDS = 30;
    private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Z_][A-Z0-9_]*)\\)");

    /** What one run printed and wrote. */
    record Result(String output, Map<String, TomlParseResult> hostsFiles, Map<String, String> rawFiles) {
    }

    private HostsScript() {
    }

    /**
     * @param chart   the rendered chart
     * @param certs   stands for the host's containerd hosts directory
     * @param downward values of the downward-API variables (e.g. HOST_IP) the kubelet would fill in
     */
    static Result run(RenderedChart chart, Path certs, Map<String, String> downward) throws IOException, InterruptedException {
        JsonNode init = RenderedChart.named(chart.nodePodSpec().path("initContainers"), "containerd-hosts");
        List<String> command = RenderedChart.strings(init.path("command"));
        assertEquals(List.of("/bin/sh", "/opt/damselfly-init/write-hosts.sh"), command);
        String script = chart.configMapData(RenderedChart.FULLNAME + "-containerd-hosts", "write-hosts.sh");
        Path scriptFile = Files.createTempFile(certs.getParent(), "write-hosts-", ".sh");
        Files.writeString(scriptFile, script, StandardCharsets.UTF_8);

        Map<String, String> env = new TreeMap<>(downward);
        for (JsonNode var : init.path("env")) {
            if (var.has("value")) {
                env.put(var.path("name").asText(), expand(var.path("value").asText(), env));
            }
        }
        assertEquals("/host/containerd-certs", env.get("CERTS_DIR"), "CERTS_DIR is not the mounted hosts directory");
        env.put("CERTS_DIR", certs.toString());

        ProcessBuilder pb = new ProcessBuilder("/bin/sh", scriptFile.toString()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().putAll(env);
        Process process = pb.start();
        String output;
        try {
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS), "write-hosts.sh did not finish");
        } finally {
            process.destroyForcibly();
        }
        assertEquals(0, process.exitValue(), "write-hosts.sh failed:\n" + output);

        Map<String, TomlParseResult> parsed = new TreeMap<>();
        Map<String, String> raw = new TreeMap<>();
        try (Stream<Path> files = Files.walk(certs)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                Path rel = certs.relativize(file);
                assertEquals(2, rel.getNameCount(), "unexpected file " + rel);
                assertEquals("hosts.toml", rel.getFileName().toString(), "left a temporary file: " + rel);
                String text = Files.readString(file, StandardCharsets.UTF_8);
                TomlParseResult toml = Toml.parse(text);
                assertFalse(toml.hasErrors(), () -> rel + " is not valid TOML: " + toml.errors() + "\n" + text);
                parsed.put(rel.getName(0).toString(), toml);
                raw.put(rel.getName(0).toString(), text);
            }
        }
        return new Result(output, parsed, raw);
    }

    /** Expands {@code $(VAR)} as the kubelet does for env values (unknown references stay as they are). */
    static String expand(String value, Map<String, String> env) {
        Matcher m = VAR_REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = env.getOrDefault(m.group(1), m.group());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
    }

    /**
     * Asserts a containerd hosts.toml: {@code server} is the registry, and the only {@code [host."…"]}
     * entry is the mirror with capabilities pull and resolve.
     */
    static void assertMirrorHostsFile(TomlParseResult toml, String server, String mirror) {
        assertEquals(server, toml.getString("server"), "server (the fallback) is not the registry");
        TomlTable hosts = toml.getTable("host");
        assertTrue(hosts != null, "no [host.\"...\"] table");
        assertEquals(java.util.Set.of(mirror), hosts.keySet(), "mirror hosts");
        TomlTable entry = hosts.getTable(List.of(mirror));
        assertEquals(List.of("pull", "resolve"), entry.getArray("capabilities").toList(), "mirror capabilities");
    }
}
