package dev.damselfly.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The chart rendered by real Helm ({@code helm template}, in process through helm-java) with the values
 * given as YAML text, and its documents parsed with Jackson YAML.
 */
final class RenderedChart {
    /** Release name used for every render. */
    static final String RELEASE = "rel";
    /** Namespace used for every render. */
    static final String NAMESPACE = "damselfly";
    /** Prefix of every object name for {@link #RELEASE}. */
    static final String FULLNAME = RELEASE + "-damselfly";

    static final ObjectMapper YAML = new YAMLMapper();
    static final ObjectMapper JSON = new ObjectMapper();

    private final String text;
    private final List<JsonNode> documents;

    private RenderedChart(String text, List<JsonNode> documents) {
        this.text = text;
        this.documents = documents;
    }

    /** Renders with the chart's defaults plus {@code valuesYaml} (may be empty), on Helm's default Kubernetes version. */
    static RenderedChart render(Path tempDir, String valuesYaml) throws IOException {
        return render(tempDir, valuesYaml, null);
    }

    /** As {@link #render(Path, String)}, for the given Kubernetes version when not null. */
    static RenderedChart render(Path tempDir, String valuesYaml, String kubeVersion) throws IOException {
        Path values = Files.createTempFile(tempDir, "values-", ".yaml");
        Files.writeString(values, valuesYaml, StandardCharsets.UTF_8);
        TemplateCommand template = new Helm(Repo.CHART).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withValuesFile(values);
        if (kubeVersion != null) {
            template = template.withKubeVersion(kubeVersion);
        }
        String text = template.call();
        return new RenderedChart(text, parse(text));
    }

    private static List<JsonNode> parse(String text) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (JsonParser parser = new YAMLFactory().createParser(text);
             MappingIterator<JsonNode> it = YAML.readValues(parser, JsonNode.class)) {
            while (it.hasNextValue()) {
                JsonNode doc = it.nextValue();
                if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.size() > 0) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    /** Helm's output as text. */
    String text() {
        return text;
    }

    /** Every non-empty rendered document. */
    List<JsonNode> documents() {
        return documents;
    }

    /** Documents of one kind. */
    List<JsonNode> ofKind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).collect(Collectors.toList());
    }

    /** The document of that kind and name, if rendered. */
    Optional<JsonNode> find(String kind, String name) {
        List<JsonNode> found = ofKind(kind).stream()
                .filter(d -> name.equals(d.path("metadata").path("name").asText()))
                .collect(Collectors.toList());
        assertTrue(found.size() <= 1, () -> found.size() + " documents " + kind + "/" + name);
        return found.stream().findFirst();
    }

    /** The document of that kind and name; fails the test when it is not rendered. */
    JsonNode one(String kind, String name) {
        return find(kind, name).orElseGet(() -> fail(kind + "/" + name + " was not rendered; rendered: " + names()));
    }

    /** "Kind/name" of every document, for messages. */
    List<String> names() {
        return documents.stream().map(d -> d.path("kind").asText() + "/" + d.path("metadata").path("name").asText())
                .collect(Collectors.toList());
    }

    /** The node DaemonSet. */
    JsonNode daemonSet() {
        return one("DaemonSet", FULLNAME + "-node");
    }

    /** The DaemonSet's pod spec. */
    JsonNode nodePodSpec() {
        return daemonSet().path("spec").path("template").path("spec");
    }

    /** The node container of the DaemonSet. */
    JsonNode nodeContainer() {
        return named(nodePodSpec().path("containers"), "node");
    }

    /** One value of a ConfigMap's data. */
    String configMapData(String name, String key) {
        JsonNode value = one("ConfigMap", name).path("data").path(key);
        assertTrue(value.isTextual(), () -> "ConfigMap " + name + " has no data key " + key);
        return value.asText();
    }

    /** The node's configuration file (ConfigMap {@code <fullname>-node}, key damselfly.yaml), parsed. */
    JsonNode nodeConfig() throws IOException {
        JsonNode config = YAML.readTree(configMapData(FULLNAME + "-node", "damselfly.yaml"));
        assertNotNull(config);
        assertTrue(config.isObject(), "damselfly.yaml is not a mapping: " + config);
        return config;
    }

    /** The element of a list of named objects (containers, volumes, ports, env) with that name. */
    static JsonNode named(JsonNode list, String name) {
        assertTrue(list.isArray(), () -> "not a list: " + list);
        for (JsonNode item : list) {
            if (name.equals(item.path("name").asText())) {
                return item;
            }
        }
        return fail("no element named " + name + " in " + list);
    }

    /** The strings of a YAML/JSON list. */
    static List<String> strings(JsonNode list) {
        assertTrue(list.isArray(), () -> "not a list: " + list);
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Asserts the pod template's labels include every label of the workload's selector. */
    static void assertSelectorMatchesTemplate(JsonNode workload) {
        JsonNode selector = workload.path("spec").path("selector").path("matchLabels");
        JsonNode labels = workload.path("spec").path("template").path("metadata").path("labels");
        assertTrue(selector.size() > 0, "empty selector");
        selector.fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText(),
                        "pod label " + e.getKey() + " does not match the selector"));
    }
}
