package dev.damselfly.peer.cli.options;

import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.auth.CredentialProvider;
import dev.damselfly.oci.auth.Credentials;
import dev.damselfly.oci.auth.DockerConfigCredentials;
import dev.damselfly.oci.registry.RegistryClient;
import dev.damselfly.oci.registry.RegistryClientConfig;
import dev.damselfly.peer.cli.VersionProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * How to reach registries, shared by every command that talks to one ({@code @Mixin}). Credentials
 * options differ per command ({@code --creds}, or {@code --src-creds}/{@code --dest-creds}) and are
 * passed to {@link #client}.
 */
public final class RegistryOptions {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryOptions.class);

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = "--authfile", paramLabel = "PATH",
            description = "Docker config.json to read registry credentials from "
                    + "(default: $DOCKER_CONFIG/config.json, else ~/.docker/config.json).")
    private Path authFile;

    @Option(names = "--plain-http", paramLabel = "HOST[:PORT]",
            description = "Speak plain HTTP, not HTTPS, to this registry; repeatable. "
                    + "Loopback registries (localhost, 127.x, [::1]) are tried over HTTPS first and use plain HTTP "
                    + "when they do not speak TLS (never after a certificate error).")
    private List<String> plainHttp = new ArrayList<>();

    @Option(names = "--ca-file", paramLabel = "PEM",
            description = "PEM file of CA certificates to trust in addition to the system trust store.")
    private Path caFile;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "3",
            description = "Extra attempts after a 5xx answer or a connection failure (default: ${DEFAULT-VALUE}).")
    private int retries;

    @Option(names = "--push-chunk-size", paramLabel = "BYTES", defaultValue = "64MiB", converter = ByteSizeConverter.class,
            description = "Blobs larger than this are pushed in chunks of this size; units B, KiB, MiB, GiB "
                    + "(or KB, MB, GB) (default: ${DEFAULT-VALUE}).")
    private long pushChunkBytes;

    /**
     * A client for the image at {@code locationText} (already validated). {@code explicit} credentials,
     * when given, apply to that image's registry; the auth file is asked for everything else.
     *
     * @param optionName the credentials option, for messages (e.g. {@code --src-creds})
     */
    public RegistryClient client(String locationText, Optional<ImageReference> reference, Credentials explicit,
            String optionName) {
        validate();
        CredentialProvider fromFile = memoized(() -> DockerConfigCredentials.load(
                authFile != null ? authFile : DockerConfigCredentials.defaultLocation()));
        CredentialProvider credentials = fromFile;
        if (explicit != null) {
            if (reference.isPresent()) {
                credentials = CredentialProvider.of(reference.get().registry(), explicit).orElse(fromFile);
            } else {
                LOG.warn("{} ignored: {} is not in a registry", optionName, locationText);
            }
        }
        RegistryClientConfig config = RegistryClientConfig.builder()
                .maxRetries(retries)
                .pushChunkBytes(pushChunkBytes)
                .plainHttpRegistries(Set.copyOf(new LinkedHashSet<>(plainHttp)))
                .extraCaFile(caFile)
                .credentials(credentials)
                .userAgent("damselfly/" + VersionProvider.version())
                .build();
        return RegistryClient.create(config);
    }

    private void validate() {
        CommandLine commandLine = mixee.commandLine();
        if (retries < 0) {
            throw new CommandLine.ParameterException(commandLine, "--retries must be 0 or more, got " + retries);
        }
        if (pushChunkBytes <= 0) {
            throw new CommandLine.ParameterException(commandLine, "--push-chunk-size must be more than 0 bytes");
        }
        for (String host : plainHttp) {
            if (host.isBlank() || host.contains("/")) {
                throw new CommandLine.ParameterException(commandLine,
                        "--plain-http takes HOST[:PORT] as in image references, got '" + host + "'");
            }
        }
        if (caFile != null && !Files.isReadable(caFile)) {
            throw new CommandLine.ParameterException(commandLine, "--ca-file " + caFile + " is not a readable file");
        }
        if (authFile != null && Files.exists(authFile) && !Files.isRegularFile(authFile)) {
            throw new CommandLine.ParameterException(commandLine, "--authfile " + authFile + " is not a file");
        }
    }

    /** Loads the auth file on first use only, so commands on layout directories never read it. */
    private static CredentialProvider memoized(Supplier<CredentialProvider> loader) {
        return new CredentialProvider() {
            private CredentialProvider loaded;

            @Override
            public synchronized java.util.Optional<Credentials> forRegistry(String registry) {
                if (loaded == null) {
                    loaded = loader.get();
                }
                return loaded.forRegistry(registry);
            }
        };
    }
}
