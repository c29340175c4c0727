package dev.damselfly.deploy;

import static dev.damselfly.deploy.RenderedChart.FULLNAME;
import static dev.damselfly.deploy.RenderedChart.NAMESPACE;
import static dev.damselfly.deploy.RenderedChart.named;
import static dev.damselfly.deploy.RenderedChart.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tomlj.TomlParseResult;

/** The chart with its default values, rendered once by real Helm, and {@code helm lint}. */
class HelmChartDefaultsTest {
    /** Top-level keys of the node's configuration file (node-contract). */
    static final Set<String> CONTRACT_TOP_LEVEL_KEYS = Set.of(
            "dataDir", "host", "scheduler", "upload", "download", "storage", "proxy", "metrics", "health", "admin");

    @TempDir
    static Path tmp;
    static RenderedChart chart;

    @BeforeAll
    static void render() throws Exception {
        chart = RenderedChart.render(tmp, "");
    }

    @Test
    void lintPassesInStrictMode() {
        LintResult result = new Helm(Repo.CHART).lint().strict().call();
        assertFalse(result.isFailed(), () -> "helm lint --strict failed: " + result.getMessages());
        result.getMessages().forEach(m -> assertFalse(m.contains("[ERROR]") || m.contains("[WARNING]"), m));
    }

    @Test
    void rendersTheExpectedObjects() {
        Set<String> expected = Set.of(
                "ServiceAccount/" + FULLNAME,
                "ConfigMap/" + FULLNAME + "-node",
                "ConfigMap/" + FULLNAME + "-containerd-hosts",
                "ConfigMap/" + FULLNAME + "-nydusd",
                "Service/" + FULLNAME + "-metrics",
                "Service/" + FULLNAME + "-scheduler",
                "DaemonSet/" + FULLNAME + "-node",
                "Deployment/" + FULLNAME + "-scheduler");
        assertEquals(expected, new HashSet<>(chart.names()));
        assertTrue(chart.ofKind("ServiceMonitor").isEmpty(), "ServiceMonitor is off by default");
    }

    @Test
    void everyObjectIsAWellFormedKubernetesObject() {
        for (JsonNode doc : chart.documents()) {
            String id = doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText();
            assertTrue(doc.path("apiVersion").isTextual() && !doc.path("apiVersion").asText().isBlank(), id + " apiVersion");
            assertTrue(doc.path("kind").isTextual(), id + " kind");
            assertTrue(doc.path("metadata").path("name").asText().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), id + " name is not a DNS label");
            assertTrue(doc.path("metadata").path("name").asText().length() <= 63, id + " name longer than 63");
            assertEquals(NAMESPACE, doc.path("metadata").path("namespace").asText(), id + " namespace");
            assertEquals("rel", doc.path("metadata").path("labels").path("app.kubernetes.io/instance").asText(), id + " instance label");
        }
        RenderedChart.assertSelectorMatchesTemplate(chart.daemonSet());
        RenderedChart.assertSelectorMatchesTemplate(chart.one("Deployment", FULLNAME + "-scheduler"));
        // Every ConfigMap a pod mounts is rendered, and the ServiceAccount it runs as.
        for (JsonNode podSpec : List.of(chart.nodePodSpec(),
                chart.one("Deployment", FULLNAME + "-scheduler").path("spec").path("template").path("spec"))) {
            chart.one("ServiceAccount", podSpec.path("serviceAccountName").asText());
            for (JsonNode volume : podSpec.path("volumes")) {
                if (volume.has("configMap")) {
                    chart.one("ConfigMap", volume.path("configMap").path("name").asText());
                }
            }
        }
    }

    @Test
    void nodeRunsTheContractCommandOnTheHostNetwork() {
        JsonNode container = chart.nodeContainer();
        assertEquals("damselfly:0.1.0-SNAPSHOT", container.path("image").asText());
        assertTrue(container.path("command").isMissingNode(), "the image's ENTRYPOINT (java -jar) must run");
        assertEquals(List.of("node", "--config", "/etc/damselfly/damselfly.yaml", "--set", "host.ip=$(POD_IP)"),
                strings(container.path("args")));
        JsonNode config = named(container.path("volumeMounts"), "config");
        assertEquals("/etc/damselfly", config.path("mountPath").asText());
        assertEquals(FULLNAME + "-node", named(chart.nodePodSpec().path("volumes"), "config").path("configMap").path("name").asText());

        JsonNode pod = chart.nodePodSpec();
        assertTrue(pod.path("hostNetwork").asBoolean(), "hostNetwork defaults to true");
        assertEquals("ClusterFirstWithHostNet", pod.path("dnsPolicy").asText());
        assertEquals(60, pod.path("terminationGracePeriodSeconds").asInt());
        assertEquals("Exists", pod.path("tolerations").get(0).path("operator").asText());
        assertEquals("RollingUpdate", chart.daemonSet().path("spec").path("updateStrategy").path("type").asText());
        assertEquals(0, chart.daemonSet().path("spec").path("updateStrategy").path("rollingUpdate").path("maxSurge").asInt());

        Map<String, String> fieldRefs = new LinkedHashMap<>();
        for (JsonNode env : container.path("env")) {
            if (env.has("valueFrom")) {
                fieldRefs.put(env.path("name").asText(), env.path("valueFrom").path("fieldRef").path("fieldPath").asText());
            }
        }
        assertEquals("metadata.name", fieldRefs.get("POD_NAME"));
        assertEquals("metadata.namespace", fieldRefs.get("POD_NAMESPACE"));
        assertEquals("status.hostIP", fieldRefs.get("HOST_IP"));
        assertEquals("status.podIP", fieldRefs.get("POD_IP"));
        assertEquals("-XX:MaxRAMPercentage=50", named(container.path("env"), "JAVA_TOOL_OPTIONS").path("value").asText());
    }

    @Test
    void nodeHasFuseDevicePrivilegeAndBidirectionalMounts() {
        JsonNode pod = chart.nodePodSpec();
        JsonNode container = chart.nodeContainer();
        JsonNode fuse = named(pod.path("volumes"), "fuse").path("hostPath");
        assertEquals("/dev/fuse", fuse.path("path").asText());
        assertEquals("CharDevice", fuse.path("type").asText());
        assertEquals("/dev/fuse", named(container.path("volumeMounts"), "fuse").path("mountPath").asText());
        assertTrue(container.path("securityContext").path("privileged").asBoolean(), "privileged by default");
        assertEquals(0, container.path("securityContext").path("runAsUser").asInt());

        JsonNode mounts = named(container.path("volumeMounts"), "mounts");
        assertEquals("Bidirectional", mounts.path("mountPropagation").asText());
        assertEquals("/run/damselfly/mounts", mounts.path("mountPath").asText());
        assertEquals("/run/damselfly/mounts", named(pod.path("volumes"), "mounts").path("hostPath").path("path").asText());
    }

    @Test
    void dataDirectoryIsAHostPathAndTheConfiguredDataDir() throws Exception {
        JsonNode data = named(chart.nodePodSpec().path("volumes"), "data").path("hostPath");
        assertEquals("/var/lib/damselfly", data.path("path").asText());
        assertEquals("DirectoryOrCreate", data.path("type").asText());
        assertEquals("/var/lib/damselfly", named(chart.nodeContainer().path("volumeMounts"), "data").path("mountPath").asText());
        assertEquals("/var/lib/damselfly", chart.nodeConfig().path("dataDir").asText());
    }

    @Test
    void portsProbesAndResources() {
        JsonNode container = chart.nodeContainer();
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (JsonNode port : container.path("ports")) {
            ports.put(port.path("name").asText(), port.path("containerPort").asInt());
            assertFalse(port.has("hostPort"), "no explicit hostPort on the host network: " + port);
            assertEquals("TCP", port.path("protocol").asText());
        }
        assertEquals(Map.of("grpc", 4000, "proxy", 4001, "metrics", 4002, "health", 4003, "vortex", 4005), ports);

        for (String probe : List.of("livenessProbe", "readinessProbe")) {
            JsonNode get = container.path(probe).path("httpGet");
            assertEquals("/healthy", get.path("path").asText(), probe);
            assertEquals(4003, ports.get(get.path("port").asText()), probe + " does not target port 4003");
            assertTrue(container.path(probe).path("periodSeconds").asInt() > 0, probe + " period");
        }
        JsonNode resources = container.path("resources");
        assertEquals("250m", resources.path("requests").path("cpu").asText());
        assertEquals("512Mi", resources.path("requests").path("memory").asText());
        assertEquals("4Gi", resources.path("limits").path("memory").asText());
    }

    @Test
    void schedulerDeploymentServiceAndTheNodesAddress() throws Exception {
        JsonNode deployment = chart.one("Deployment", FULLNAME + "-scheduler");
        JsonNode container = named(deployment.path("spec").path("template").path("spec").path("containers"), "scheduler");
        assertEquals(List.of("scheduler", "--listen", "0.0.0.0:8002"), strings(container.path("args")));
        assertEquals(8002, named(container.path("ports"), "grpc").path("containerPort").asInt());
        assertEquals(8002, container.path("readinessProbe").path("grpc").path("port").asInt());

        JsonNode service = chart.one("Service", FULLNAME + "-scheduler");
        assertEquals(8002, named(service.path("spec").path("ports"), "grpc").path("port").asInt());
        JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
        service.path("spec").path("selector").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), podLabels.path(e.getKey()).asText(), "Service selects the scheduler pods"));

        assertEquals(List.of(FULLNAME + "-scheduler." + NAMESPACE + ".svc.cluster.local:8002"),
                strings(chart.nodeConfig().path("scheduler").path("addresses")));
    }

    @Test
    void nodeConfigFollowsTheContract() throws Exception {
        JsonNode config = chart.nodeConfig();
        config.fieldNames().forEachRemaining(k -> assertTrue(CONTRACT_TOP_LEVEL_KEYS.contains(k), "not a contract key: " + k));
        assertEquals(4000, config.path("upload").path("grpcPort").asInt());
        assertEquals(4005, config.path("upload").path("vortexPort").asInt());
        assertEquals(4001, config.path("proxy").path("port").asInt());
        assertEquals(4002, config.path("metrics").path("port").asInt());
        assertEquals(4003, config.path("health").path("port").asInt());
        assertEquals("docker.io", config.path("proxy").path("defaultRegistry").asText());
        JsonNode registry = config.path("proxy").path("registries").get(0);
        assertEquals("docker.io", registry.path("name").asText());
        assertEquals("https://registry-1.docker.io", registry.path("url").asText());
        assertEquals(1, config.path("proxy").path("registries").size());
        assertEquals("blobs/sha256.*", config.path("proxy").path("rules").get(0).path("regex").asText());
        assertEquals("10Gbit", config.path("host").path("uploadBandwidth").asText());
        assertEquals("360s", config.path("download").path("pieceTimeout").asText());
        assertEquals(0.9, config.path("storage").path("highWatermark").asDouble());
    }

    @Test
    void nydusdConfigUsesTheNodeAsProxy() throws Exception {
        JsonNode nydusd = RenderedChart.JSON.readTree(chart.configMapData(FULLNAME + "-nydusd", "nydusd-config.fusedev.json"));
        JsonNode backend = nydusd.path("device").path("backend");
        assertEquals("registry", backend.path("type").asText());
        JsonNode proxy = backend.path("config").path("proxy");
        assertEquals("http://127.0.0.1:4001", proxy.path("url").asText());
        assertEquals("http://127.0.0.1:4003/healthy", proxy.path("ping_url").asText());
        assertTrue(proxy.path("fallback").asBoolean(), "fallback to the registry when the node is down");
        assertTrue(proxy.path("use_http").asBoolean());
        assertEquals(5, proxy.path("check_interval").asInt());
        assertEquals("blobcache", nydusd.path("device").path("cache").path("type").asText());
        assertEquals("direct", nydusd.path("mode").asText());
        assertTrue(nydusd.path("fs_prefetch").path("enable").asBoolean());
    }

    @Test
    void initContainerWritesContainerdHostsForEachRegistry() throws Exception {
        JsonNode pod = chart.nodePodSpec();
        JsonNode init = named(pod.path("initContainers"), "containerd-hosts");
        assertEquals("damselfly:0.1.0-SNAPSHOT", init.path("image").asText());
        assertEquals("/host/containerd-certs", named(init.path("volumeMounts"), "containerd-certs").path("mountPath").asText());
        JsonNode certs = named(pod.path("volumes"), "containerd-certs").path("hostPath");
        assertEquals("/etc/containerd/certs.d", certs.path("path").asText());
        assertEquals(FULLNAME + "-containerd-hosts",
                named(pod.path("volumes"), "containerd-hosts-script").path("configMap").path("name").asText());

        Path dir = Files.createDirectories(tmp.resolve("defaults/certs.d"));
        HostsScript.Result first = HostsScript.run(chart, dir, Map.of("HOST_IP", "192.0.2.10"));
        assertEquals(Set.of("docker.io"), first.hostsFiles().keySet());
        TomlParseResult toml = first.hostsFiles().get("docker.io");
        HostsScript.assertMirrorHostsFile(toml, "https://registry-1.docker.io", "http://127.0.0.1:4001");
        assertTrue(first.output().contains("hosts.toml written registry=docker.io"), first.output());

        // A second run (a pod restart) leaves an identical file alone.
        HostsScript.Result second = HostsScript.run(chart, dir, Map.of("HOST_IP", "192.0.2.10"));
        assertTrue(second.output().contains("hosts.toml unchanged registry=docker.io"), second.output());
        assertEquals(first.rawFiles(), second.rawFiles());
    }

    @Test
    void metricsServiceSelectsTheNodePods() {
        JsonNode service = chart.one("Service", FULLNAME + "-metrics");
        JsonNode port = named(service.path("spec").path("ports"), "metrics");
        assertEquals(4002, port.path("port").asInt());
        assertEquals("metrics", port.path("targetPort").asText());
        JsonNode podLabels = chart.daemonSet().path("spec").path("template").path("metadata").path("labels");
        service.path("spec").path("selector").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), podLabels.path(e.getKey()).asText(), "metrics Service selects the node pods"));
    }

    @Test
    void rendersOnARecentKubernetesToo() throws Exception {
        RenderedChart recent = RenderedChart.render(tmp, "", "1.30.0");
        assertEquals(chart.names(), recent.names());
    }
}
