package dev.damselfly.peer.node.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the node's YAML file, applies {@code key.path=value} overrides (values are YAML: {@code 8},
 * {@code true}, {@code [a:8002, b:8002]}, {@code 100MiB}), binds the result to {@link NodeConfig} (unknown keys
 * are errors, so a typo is never silently ignored) and checks the values.
 */
public final class NodeConfigLoader {
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private NodeConfigLoader() {
    }

    /**
     * @param file the YAML file, or empty for the embedded defaults
     * @param overrides {@code key.path=value} pairs applied in order over the file
     * @throws NodeConfigException naming the file, key and problem
     */
    public static NodeConfig load(Optional<Path> file, List<String> overrides) {
        ObjectNode tree = file.map(NodeConfigLoader::readFile).orElseGet(JsonNodeFactory.instance::objectNode);
        for (String override : overrides) {
            apply(tree, override);
        }
        String origin = file.map(f -> "config " + f).orElse("the default config");
        NodeConfig config;
        try {
            config = YAML.treeToValue(tree, NodeConfig.class);
        } catch (JsonProcessingException e) {
            throw new NodeConfigException(origin + (overrides.isEmpty() ? "" : " with --set " + overrides) + ": "
                    + e.getOriginalMessage() + " at " + path(e), e);
        }
        validate(config, origin);
        return config;
    }

    private static ObjectNode readFile(Path file) {
        try {
            JsonNode node = YAML.readTree(Files.readString(file));
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                throw new NodeConfigException("config " + file + ": the top level must be a mapping of keys");
            }
            return (ObjectNode) node;
        } catch (NoSuchFileException e) {
            throw new NodeConfigException("config " + file + " does not exist", e);
        } catch (JsonProcessingException e) {
            throw new NodeConfigException("config " + file + " is not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new NodeConfigException("cannot read config " + file + ": " + e.getMessage(), e);
        }
    }

    private static void apply(ObjectNode tree, String override) {
        int eq = override.indexOf('=');
        if (eq <= 0) {
            throw new NodeConfigException("--set '" + override + "': expected key.path=value");
        }
        String[] keys = override.substring(0, eq).trim().split("\\.");
        String text = override.substring(eq + 1);
        JsonNode value;
        try {
            value = text.isEmpty() ? TextNode.valueOf("") : YAML.readTree(text);
        } catch (JsonProcessingException e) {
            value = TextNode.valueOf(text);
        }
        if (value == null || value.isMissingNode()) {
            value = TextNode.valueOf(text);
        }
        ObjectNode at = tree;
        for (int i = 0; i < keys.length - 1; i++) {
            JsonNode next = at.get(keys[i]);
            if (next == null || !next.isObject()) {
                next = at.putObject(keys[i]);
            }
            at = (ObjectNode) next;
        }
        at.set(keys[keys.length - 1], value);
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (var ref : m.getPath()) {
                if (ref.getFieldName() != null) {
                    sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
                } else {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
            return "key " + sb;
        }
        return "the top level";
    }

    static void validate(NodeConfig c, String origin) {
        if (c.dataDir == null) {
            fail(origin, "dataDir", "must be set");
        }
        port(origin, "upload.grpcPort", c.upload.grpcPort);
        port(origin, "upload.vortexPort", c.upload.vortexPort);
        port(origin, "proxy.port", c.proxy.port);
        port(origin, "metrics.port", c.metrics.port);
        port(origin, "health.port", c.health.port);
        port(origin, "admin.port", c.admin.port);
        positive(origin, "upload.maxConcurrent", c.upload.maxConcurrent);
        positive(origin, "download.concurrentPieceCount", c.download.concurrentPieceCount);
        positive(origin, "download.backToSource.concurrency", c.download.backToSource.concurrency);
        if (c.upload.testCorruptRatio < 0 || c.upload.testCorruptRatio > 1) {
            fail(origin, "upload.testCorruptRatio", "must be within 0.0-1.0, was " + c.upload.testCorruptRatio);
        }
        if (!(c.storage.lowWatermark > 0 && c.storage.lowWatermark < c.storage.highWatermark
                && c.storage.highWatermark <= 1)) {
            fail(origin, "storage.lowWatermark/highWatermark", "need 0 < low < high ≤ 1, were "
                    + c.storage.lowWatermark + " and " + c.storage.highWatermark);
        }
        if (c.scheduler.embeddedSourceStripes < 1) {
            fail(origin, "scheduler.embeddedSourceStripes", "must be 1 or more");
        }
        if (c.upload.repeatHold.isNegative()) {
            fail(origin, "upload.repeatHold", "must be 0 or positive");
        }
        if (c.download.pieceTimeout.isZero() || c.download.pieceTimeout.isNegative()) {
            fail(origin, "download.pieceTimeout", "must be positive");
        }
        if (c.host.uploadBandwidth <= 0) {
            fail(origin, "host.uploadBandwidth", "must be positive (a zero bandwidth makes schedulers skip this node)");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < c.proxy.registries.size(); i++) {
            NodeConfig.Registry r = c.proxy.registries.get(i);
            if (r.name == null || r.name.isBlank()) {
                fail(origin, "proxy.registries[" + i + "].name", "must be set");
            }
            if (!names.add(r.name)) {
                fail(origin, "proxy.registries[" + i + "].name", "'" + r.name + "' is listed twice");
            }
        }
        if (!c.proxy.defaultRegistry.isEmpty() && !names.contains(c.proxy.defaultRegistry)) {
            fail(origin, "proxy.defaultRegistry", "'" + c.proxy.defaultRegistry + "' is not one of proxy.registries " + names);
        }
        for (int i = 0; i < c.proxy.rules.size(); i++) {
            String regex = c.proxy.rules.get(i).regex;
            try {
                Pattern.compile(regex == null ? "" : regex);
            } catch (PatternSyntaxException e) {
                fail(origin, "proxy.rules[" + i + "].regex", "is not a regex: " + e.getDescription());
            }
        }
        for (String address : c.scheduler.addresses) {
            if (!address.matches("[^\\s:]+:\\d{1,5}|\\[[0-9a-fA-F:]+]:\\d{1,5}")) {
                fail(origin, "scheduler.addresses", "'" + address + "' is not host:port");
            }
        }
    }

    private static void port(String origin, String key, int port) {
        if (port < 0 || port > 65535) {
            fail(origin, key, "must be a port 0-65535, was " + port);
        }
    }

    private static void positive(String origin, String key, int n) {
        if (n <= 0) {
            fail(origin, key, "must be positive, was " + n);
        }
    }

    private static void fail(String origin, String key, String problem) {
        throw new NodeConfigException(origin + ": " + key + " " + problem);
    }
}
