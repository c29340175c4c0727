package dev.damselfly.deploy;

import static dev.damselfly.deploy.RenderedChart.FULLNAME;
import static dev.damselfly.deploy.RenderedChart.named;
import static dev.damselfly.deploy.RenderedChart.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart rendered by real Helm with non-default values: each test one operator choice. */
class HelmChartValuesTest {
    @TempDir
    Path tmp;

    @Test
    void offTheHostNetworkTheMirrorIsTheNodesIpOnHostPorts() throws Exception {
        RenderedChart chart = RenderedChart.render(tmp, """
                node:
                  hostNetwork: false
                """);
        JsonNode pod = chart.nodePodSpec();
        assertFalse(pod.path("hostNetwork").asBoolean());
        assertEquals("ClusterFirst", pod.path("dnsPolicy").asText());
        JsonNode ports = chart.nodeContainer().path("ports");
        assertEquals(4001, named(ports, "proxy").path("hostPort").asInt());
        assertEquals(4003, named(ports, "health").path("hostPort").asInt());
        assertFalse(named(ports, "grpc").has("hostPort"), "peers reach the pod IP directly");

        JsonNode init = named(pod.path("initContainers"), "containerd-hosts");
        assertEquals("http://$(HOST_IP):4001", named(init.path("env"), "MIRROR").path("value").asText());
        assertEquals("status.hostIP", named(init.path("env"), "HOST_IP").path("valueFrom").path("fieldRef").path("fieldPath").asText());
        Path certs = Files.createDirectories(tmp.resolve("certs.d"));
        HostsScript.Result result = HostsScript.run(chart, certs, Map.of("HOST_IP", "192.0.2.10"));
        HostsScript.assertMirrorHostsFile(result.hostsFiles().get("docker.io"), "https://registry-1.docker.io", "http://192.0.2.10:4001");
    }

    @Test
    void externalSchedulersReplaceTheChartsScheduler() throws Exception {
        RenderedChart chart = RenderedChart.render(tmp, """
                scheduler:
                  enabled: false
                  externalAddresses: ["dragonfly-scheduler.dragonfly-system.svc.cluster.local:8002", "10.0.0.7:8002"]
                """);
        assertEquals(List.of("dragonfly-scheduler.dragonfly-system.svc.cluster.local:8002", "10.0.0.7:8002"),
                strings(chart.nodeConfig().path("scheduler").path("addresses")));
        assertTrue(chart.ofKind("Deployment").isEmpty(), "no scheduler Deployment: " + chart.names());
        assertTrue(chart.find("Service", FULLNAME + "-scheduler").isEmpty(), "no scheduler Service");
    }

    @Test
    void noSchedulerAtAllMeansTheEmbeddedOne() throws Exception {
        RenderedChart chart = RenderedChart.render(tmp, """
                scheduler:
                  enabled: false
                """);
        JsonNode addresses = chart.nodeConfig().path("scheduler").path("addresses");
        assertTrue(addresses.isArray() && addresses.isEmpty(), "empty addresses = embedded scheduler: " + addresses);
        assertTrue(chart.ofKind("Deployment").isEmpty());
        assertEquals(Set.of(FULLNAME + "-metrics"),
                Set.copyOf(chart.ofKind("Service").stream().map(s -> s.path("metadata").path("name").asText()).toList()));
    }

    @Test
    void serviceMonitorWhenEnabled() throws Exception {
        RenderedChart chart = RenderedChart.render(tmp, """
                metrics:
                  serviceMonitor:
                    enabled: true
                    interval: 15s
                    labels:
                      release: prometheus
                """);
        JsonNode monitor = chart.one("ServiceMonitor", FULLNAME + "-node");
        assertEquals("monitoring.coreos.com/v1", monitor.path("apiVersion").asText());
        assertEquals("prometheus", monitor.path("metadata").path("labels").path("release").asText());
        JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
        assertEquals("metrics", endpoint.path("port").asText());
        assertEquals("/metrics", endpoint.path("path").asText());
        assertEquals("15s", endpoint.path("interval").asText());
        // It selects the metrics Service, whose port it names.
        JsonNode service = chart.one("Service", FULLNAME + "-metrics");
        JsonNode serviceLabels = service.path("metadata").path("labels");
        monitor.path("spec").path("selector").path("matchLabels").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), serviceLabels.path(e.getKey()).asText(), "ServiceMonitor selects the metrics Service"));
        named(service.path("spec").path("ports"), endpoint.path("port").asText());
        assertEquals(List.of(RenderedChart.NAMESPACE), strings(monitor.path("spec").path("namespaceSelector").path("matchNames")));
    }

    @Test
    void customRegistriesReachTheProxyAllowlistAndContainerd() throws Exception {
        RenderedChart chart = RenderedChart.render(tmp, """
                registries:
                  - name: ghcr.io
                    server: https://ghcr.io
                  - name: registry.example:5000
                    server: http://registry.example:5000
                  - name: harbor.internal
                    server: https://harbor.internal
                    skipVerify: true
                """);
        JsonNode proxy = chart.nodeConfig().path("proxy");
        assertEquals("ghcr.io", proxy.path("defaultRegistry").asText(), "the first registry is the default");
        List<String> allow = new ArrayList<>();
        proxy.path("registries").forEach(r -> allow.add(r.path("name").asText() + "=" + r.path("url").asText()));
        assertEquals(List.of("ghcr.io=https://ghcr.io", "registry.example:5000=http://registry.example:5000",
                "harbor.internal=https://harbor.internal"), allow);

        Path certs = Files.createDirectories(tmp.resolve("certs.d"));
        HostsScript.Result result = HostsScript.run(chart, certs, Map.of("HOST_IP", "192.0.2.10"));
        assertEquals(Set.of("ghcr.io", "registry.example:5000", "harbor.internal"), result.hostsFiles().keySet());
        String mirror = "http://127.0.0.1:4001";
        HostsScript.assertMirrorHostsFile(result.hostsFiles().get("ghcr.io"), "https://ghcr.io", mirror);
        HostsScript.assertMirrorHostsFile(result.hostsFiles().get("registry.example:5000"), "http://registry.example:5000", mirror);
        HostsScript.assertMirrorHostsFile(result.hostsFiles().get("harbor.internal"), "https://harbor.internal", mirror);
        assertEquals(Boolean.TRUE, result.hostsFiles().get("harbor.internal").getBoolean("skip_verify"));
        assertEquals(null, result.hostsFiles().get("ghcr.io").getBoolean("skip_verify"), "skip_verify only when asked");
    }

    @Test
    void resourcesPlacementAndNodeSettings() throws Exception {
        RenderedChart chart = RenderedChart.render(tmp, """
                node:
                  resources:
                    requests: {cpu: "1", memory: 2Gi}
                    limits: {cpu: "8", memory: 16Gi}
                  priorityClassName: system-node-critical
                  terminationGracePeriodSeconds: 120
                  nodeSelector: {damselfly: "yes"}
                  tolerations: [{key: gpu, operator: Exists, effect: NoSchedule}]
                  dataDir: {hostPath: /mnt/ssd/damselfly}
                  javaOpts: "-Xmx3g"
                  config:
                    host: {ip: 198.51.100.4, idc: dc1}
                    storage: {capacity: 100GiB}
                scheduler:
                  resources:
                    limits: {memory: 2Gi}
                """);
        JsonNode container = chart.nodeContainer();
        assertEquals("1", container.path("resources").path("requests").path("cpu").asText());
        assertEquals("16Gi", container.path("resources").path("limits").path("memory").asText());
        JsonNode pod = chart.nodePodSpec();
        assertEquals("system-node-critical", pod.path("priorityClassName").asText());
        assertEquals(120, pod.path("terminationGracePeriodSeconds").asInt());
        assertEquals("yes", pod.path("nodeSelector").path("damselfly").asText());
        assertEquals("gpu", pod.path("tolerations").get(0).path("key").asText());
        assertEquals("/mnt/ssd/damselfly", named(pod.path("volumes"), "data").path("hostPath").path("path").asText());
        assertEquals("/mnt/ssd/damselfly", named(container.path("volumeMounts"), "data").path("mountPath").asText());
        assertEquals("-Xmx3g", named(container.path("env"), "JAVA_TOOL_OPTIONS").path("value").asText());

        JsonNode config = chart.nodeConfig();
        assertEquals("/mnt/ssd/damselfly", config.path("dataDir").asText());
        assertEquals("198.51.100.4", config.path("host").path("ip").asText());
        assertEquals("dc1", config.path("host").path("idc").asText());
        assertEquals("100GiB", config.path("storage").path("capacity").asText());
        assertEquals(0.9, config.path("storage").path("highWatermark").asDouble(), "unset keys keep their values");
        assertEquals(List.of("node", "--config", "/etc/damselfly/damselfly.yaml"), strings(container.path("args")),
                "an explicit host.ip is not overridden by --set");

        JsonNode scheduler = named(chart.one("Deployment", FULLNAME + "-scheduler")
                .path("spec").path("template").path("spec").path("containers"), "scheduler");
        assertEquals("2Gi", scheduler.path("resources").path("limits").path("memory").asText());
    }

    @Test
    void customPortsAgreeEverywhere() throws Exception {
        RenderedChart chart = RenderedChart.render(tmp, """
                node:
                  ports: {grpc: 14000, proxy: 14001, metrics: 14002, health: 14003, vortex: 14005}
                """);
        JsonNode config = chart.nodeConfig();
        assertEquals(14000, config.path("upload").path("grpcPort").asInt());
        assertEquals(14005, config.path("upload").path("vortexPort").asInt());
        assertEquals(14001, config.path("proxy").path("port").asInt());
        assertEquals(14002, config.path("metrics").path("port").asInt());
        assertEquals(14003, config.path("health").path("port").asInt());
        JsonNode ports = chart.nodeContainer().path("ports");
        assertEquals(14003, named(ports, "health").path("containerPort").asInt());
        assertEquals(14002, named(chart.one("Service", FULLNAME + "-metrics").path("spec").path("ports"), "metrics").path("port").asInt());
        JsonNode nydusd = RenderedChart.JSON.readTree(chart.configMapData(FULLNAME + "-nydusd", "nydusd-config.fusedev.json"));
        assertEquals("http://127.0.0.1:14001", nydusd.at("/device/backend/config/proxy/url").asText());
        assertEquals("http://127.0.0.1:14003/healthy", nydusd.at("/device/backend/config/proxy/ping_url").asText());
        Path certs = Files.createDirectories(tmp.resolve("certs.d"));
        HostsScript.Result result = HostsScript.run(chart, certs, Map.of("HOST_IP", "192.0.2.10"));
        HostsScript.assertMirrorHostsFile(result.hostsFiles().get("docker.io"), "https://registry-1.docker.io", "http://127.0.0.1:14001");
    }

    @Test
    void capabilityModeInsteadOfPrivileged() throws Exception {
        RenderedChart chart = RenderedChart.render(tmp, """
                node:
                  securityContext: {privileged: false}
                  mountDir: {propagation: HostToContainer}
                """);
        JsonNode container = chart.nodeContainer();
        JsonNode security = container.path("securityContext");
        assertFalse(security.path("privileged").asBoolean());
        assertEquals(List.of("SYS_ADMIN"), strings(security.path("capabilities").path("add")));
        assertEquals("HostToContainer", named(container.path("volumeMounts"), "mounts").path("mountPropagation").asText());
        assertEquals("CharDevice", named(chart.nodePodSpec().path("volumes"), "fuse").path("hostPath").path("type").asText());
    }

    @Test
    void refusesBidirectionalPropagationWithoutPrivilege() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RenderedChart.render(tmp, """
                node:
                  securityContext: {privileged: false}
                """));
        assertTrue(e.getMessage().contains("Bidirectional"), e.getMessage());
    }

    @Test
    void refusesRegistryNamesThatAreNotHosts() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> RenderedChart.render(tmp, """
                registries:
                  - name: ../../etc
                    server: https://example.org
                """));
        assertTrue(e.getMessage().contains("not a registry host"), e.getMessage());
    }

    @Test
    void withoutContainerdWiringThereIsNoInitContainer() throws Exception {
        RenderedChart chart = RenderedChart.render(tmp, """
                containerd:
                  enabled: false
                nydusd:
                  enabled: false
                metrics:
                  service:
                    enabled: false
                """);
        assertTrue(chart.nodePodSpec().path("initContainers").isMissingNode(), "no init container");
        assertTrue(chart.find("ConfigMap", FULLNAME + "-containerd-hosts").isEmpty());
        assertTrue(chart.find("ConfigMap", FULLNAME + "-nydusd").isEmpty());
        assertTrue(chart.find("Service", FULLNAME + "-metrics").isEmpty());
        for (JsonNode volume : chart.nodePodSpec().path("volumes")) {
            assertFalse(volume.path("name").asText().startsWith("containerd"), "unused volume " + volume);
        }
    }
}
