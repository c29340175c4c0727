package dev.damselfly.oci.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Credentials from a Docker {@code config.json}: {@code auths} entries ({@code auth} as base64
 * user:password, or {@code username}/{@code password}, or {@code identitytoken}), and the
 * {@code credHelpers}/{@code credsStore} programs ({@code docker-credential-NAME get}).
 * Keys of {@code auths} may be bare hosts or URLs; Docker Hub is also found under
 * {@code https://index.docker.io/v1/}.
 */
public final class DockerConfigCredentials implements CredentialProvider {
    /** How long a credential helper may run, in seconds. */
    public static final long HELPER_TIMEOUT_SECONDS = 10;
    private static final String DOCKER_HUB_LEGACY_KEY = "https://index.docker.io/v1/";

    private final Path file;
    private final JsonNode root;
    private final Path helperDirectory;

    private DockerConfigCredentials(Path file, JsonNode root, Path helperDirectory) {
        this.file = file;
        this.root = root;
        this.helperDirectory = helperDirectory;
    }

    /** Reads {@code file}; a missing file means no credentials. Helpers are looked up on the PATH. */
    public static DockerConfigCredentials load(Path file) {
        return load(file, null);
    }

    /**
     * Reads {@code file}, running credential helpers from {@code helperDirectory}
     * (null: from the PATH).
     */
    public static DockerConfigCredentials load(Path file, Path helperDirectory) {
        if (!Files.isRegularFile(file)) {
            return new DockerConfigCredentials(file, new ObjectMapper().createObjectNode(), helperDirectory);
        }
        try {
            JsonNode root = new ObjectMapper().readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new CredentialLookupException("*", file + " is not a JSON object", null);
            }
            return new DockerConfigCredentials(file, root, helperDirectory);
        } catch (IOException e) {
            throw new CredentialLookupException("*", "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
    public static Path defaultLocation() {
        String dockerConfig = System.getenv("DOCKER_CONFIG");
        if (dockerConfig != null && !dockerConfig.isEmpty()) {
            return Path.of(dockerConfig, "config.json");
        }
        return Path.of(System.getProperty("user.home"), ".docker", "config.json");
    }

    @Override
    public Optional<Credentials> forRegistry(String registry) {
        JsonNode helpers = root.path("credHelpers");
        if (helpers.hasNonNull(registry)) {
            return runHelper(helpers.get(registry).asText(), registry);
        }
        Optional<Credentials> inline = fromAuths(registry);
        if (inline.isPresent()) {
            return inline;
        }
        if (root.hasNonNull("credsStore")) {
            return runHelper(root.get("credsStore").asText(), serverUrlFor(registry));
        }
        return Optional.empty();
    }

    private Optional<Credentials> fromAuths(String registry) {
        JsonNode auths = root.path("auths");
        for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (hostOf(entry.getKey()).equals(registry)
                    || ("docker.io".equals(registry) && entry.getKey().equals(DOCKER_HUB_LEGACY_KEY))) {
                return decode(registry, entry.getValue());
            }
        }
        return Optional.empty();
    }

    private Optional<Credentials> decode(String registry, JsonNode entry) {
        if (entry.hasNonNull("identitytoken") && !entry.get("identitytoken").asText().isEmpty()) {
            return Optional.of(Credentials.identityToken(entry.path("username").asText(null), entry.get("identitytoken").asText()));
        }
        if (entry.hasNonNull("auth") && !entry.get("auth").asText().isEmpty()) {
            String pair;
            try {
                pair = new String(Base64.getDecoder().decode(entry.get("auth").asText()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new CredentialLookupException(registry, "'auth' in " + file + " is not base64", e);
            }
            return Optional.of(Credentials.parseUserColonPassword(pair));
        }
        if (entry.hasNonNull("username") && entry.hasNonNull("password")) {
            return Optional.of(Credentials.basic(entry.get("username").asText(), entry.get("password").asText()));
        }
        return Optional.empty();
    }

    private Optional<Credentials> runHelper(String helper, String serverUrl) {
        String program = "docker-credential-" + helper;
        String executable = helperDirectory == null ? program : helperDirectory.resolve(program).toString();
        ProcessBuilder builder = new ProcessBuilder(executable, "get").redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            Process process = builder.start();
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(serverUrl.getBytes(StandardCharsets.UTF_8));
            }
            byte[] out;
            try (InputStream stdout = process.getInputStream()) {
                out = stdout.readNBytes(1 << 20);
            }
            if (!process.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new CredentialLookupException(serverUrl, program + " did not finish in " + HELPER_TIMEOUT_SECONDS + " s", null);
            }
            if (process.exitValue() != 0) {
                String text = new String(out, StandardCharsets.UTF_8).trim();
                if (text.contains("credentials not found")) {
                    return Optional.empty();
                }
                throw new CredentialLookupException(serverUrl, program + " exited with " + process.exitValue(), null);
            }
            JsonNode answer = new ObjectMapper().readTree(out);
            String username = answer.path("Username").asText("");
            String secret = answer.path("Secret").asText("");
            if (secret.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of("<token>".equals(username) ? Credentials.identityToken(username, secret)
                    : Credentials.basic(username, secret));
        } catch (IOException e) {
            throw new CredentialLookupException(serverUrl, "cannot run " + program + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CredentialLookupException(serverUrl, "interrupted while running " + program, e);
        }
    }

    private static String serverUrlFor(String registry) {
        return "docker.io".equals(registry) ? DOCKER_HUB_LEGACY_KEY : registry;
    }

    /** {@code https://host:5000/v1/} → {@code host:5000}; a bare host stays as it is. */
    static String hostOf(String key) {
        String host = key;
        int scheme = host.indexOf("://");
        if (scheme >= 0) {
            host = host.substring(scheme + 3);
        }
        int slash = host.indexOf('/');
        if (slash >= 0) {
            host = host.substring(0, slash);
        }
        return "index.docker.io".equals(host) || "registry-1.docker.io".equals(host) ? "docker.io" : host;
    }
}
