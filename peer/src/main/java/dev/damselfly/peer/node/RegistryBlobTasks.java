package dev.damselfly.peer.node;

import dev.damselfly.exchange.engine.RegistryBlobOrigin;
import dev.damselfly.exchange.engine.TaskRequest;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.auth.DockerConfigCredentials;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.peer.node.config.NodeConfig;
import dev.damselfly.proxy.p2p.DragonflyHeaders;
import dev.damselfly.scheduler.client.id.TaskIdInput;
import dev.damselfly.scheduler.client.id.TaskIds;
import java.net.URI;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Download requests for an image blob named by registry, repository and digest (what a local mount asks the node
 * for). The task id is computed from the same URL the registry mirror would fetch
 * ({@code <registry URL>/v2/<repository>/blobs/<digest>}, Dragonfly's default filtered query parameters), so a blob
 * read by a mount and pulled by containerd through the mirror is one task, stored and fetched once. The origin is
 * the registry through the node's own registry client (credentials from the Docker config file of the user running
 * the node); the blob's digest is checked once it is complete.
 */
public final class RegistryBlobTasks implements AutoCloseable {
    private final RegistryClient client;
    private final Map<String, String> registryUrls;

    RegistryBlobTasks(NodeConfig config) {
        this.registryUrls = config.proxy.registries.stream()
                .filter(r -> r.url != null && !r.url.isBlank())
                .collect(Collectors.toMap(r -> r.name, r -> r.url.replaceAll("/+$", ""), (a, b) -> a));
        Set<String> plainHttp = new HashSet<>();
        registryUrls.forEach((name, url) -> {
            if (url.toLowerCase(Locale.ROOT).startsWith("http://")) {
                plainHttp.add(name);
            }
        });
        this.client = RegistryClient.create(RegistryClientConfig.builder()
                .plainHttpRegistries(Set.copyOf(plainHttp))
                .credentials(DockerConfigCredentials.load(DockerConfigCredentials.defaultLocation()))
                .build());
    }

    /**
     * @param registry registry host as in image references ({@code docker.io}, {@code host:5000})
     * @param repository repository path ({@code library/alpine})
     * @param digest the blob digest ({@code sha256:…})
     */
    public TaskRequest request(String registry, String repository, Digest digest) {
        String base = registryUrls.getOrDefault(registry, "docker.io".equals(registry)
                ? "https://registry-1.docker.io" : "https://" + registry);
        String url = base + "/v2/" + repository + "/blobs/" + digest;
        String taskId = TaskIds.taskId(TaskIdInput.of(url)
                .withFilteredQueryParams(DragonflyHeaders.DEFAULT_FILTERED_QUERY_PARAMS));
        ImageReference repo = ImageReference.of(registry, repository, "latest", null);
        TaskRequest request = TaskRequest.of(taskId, URI.create(url).toString(), new RegistryBlobOrigin(client, repo, digest));
        return digest.algorithm().equals("sha256") ? request.withExpectedSha256(digest.toString()) : request;
    }

    @Override
    public void close() {
        client.close();
    }
}
