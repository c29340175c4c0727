package dev.damselfly.testkit.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.damselfly.testkit.token.TokenServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the registry's {@code config.yml} (and the auth files it points to) into the server's
 * temporary directory. Settings: filesystem storage, {@code delete.enabled: true}, upload purging
 * off, storage health check off, access log on, text logs at the given level, a fixed
 * {@code http.secret}, listening on {@code 127.0.0.1:PORT}.
 */
final class RegistryConfigWriter {

    static final String CONFIG_FILE = "config.yml";
    static final String HTPASSWD_FILE = "htpasswd";
    static final String ROOT_CERT_BUNDLE_FILE = "token-root.pem";
    static final String HTPASSWD_REALM = "damselfly-testkit";

    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryConfigWriter() {
    }

    /**
     * @param dir      the server's temporary directory (config and auth files go here)
     * @param storage  the storage root directory
     * @param port     loopback port to listen on
     * @param auth     auth mode
     * @param logLevel Distribution log level: error, warn, info or debug
     * @param tls      certificate and key to serve HTTPS with, or null for plain HTTP
     * @return the written config file
     */
    static Path write(Path dir, Path storage, int port, RegistryAuth auth, String logLevel, TlsMaterial tls) {
        StringBuilder y = new StringBuilder();
        y.append("version: 0.1\n");
        y.append("log:\n");
        y.append("  level: ").append(q(logLevel)).append('\n');
        y.append("  formatter: text\n");
        y.append("  accesslog:\n");
        y.append("    disabled: false\n");
        y.append("storage:\n");
        y.append("  filesystem:\n");
        y.append("    rootdirectory: ").append(q(storage.toString())).append('\n');
        y.append("  delete:\n");
        y.append("    enabled: true\n");
        y.append("  maintenance:\n");
        y.append("    uploadpurging:\n");
        y.append("      enabled: false\n");
        y.append("http:\n");
        y.append("  addr: ").append(q("127.0.0.1:" + port)).append('\n');
        y.append("  secret: ").append(q("damselfly-testkit-upload-state-secret")).append('\n');
        if (tls != null) {
            y.append("  tls:\n");
            y.append("    certificate: ").append(q(tls.certificateFile().toString())).append('\n');
            y.append("    key: ").append(q(tls.keyFile().toString())).append('\n');
        }
        y.append("health:\n");
        y.append("  storagedriver:\n");
        y.append("    enabled: false\n");
        if (auth instanceof RegistryAuth.Htpasswd htpasswd) {
            Path file = dir.resolve(HTPASSWD_FILE);
            HtpasswdFile.write(file, htpasswd.users());
            y.append("auth:\n");
            y.append("  htpasswd:\n");
            y.append("    realm: ").append(q(HTPASSWD_REALM)).append('\n');
            y.append("    path: ").append(q(file.toString())).append('\n');
        } else if (auth instanceof RegistryAuth.Token token) {
            TokenServer server = token.server();
            Path bundle = server.writeRootCertBundle(dir.resolve(ROOT_CERT_BUNDLE_FILE));
            y.append("auth:\n");
            y.append("  token:\n");
            y.append("    realm: ").append(q(server.realm().toString())).append('\n');
            y.append("    service: ").append(q(server.service())).append('\n');
            y.append("    issuer: ").append(q(server.issuer())).append('\n');
            y.append("    rootcertbundle: ").append(q(bundle.toString())).append('\n');
        }
        Path config = dir.resolve(CONFIG_FILE);
        try {
            Files.writeString(config, y.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RegistryException("cannot write registry config " + config, e);
        }
        return config;
    }

    /** A YAML double-quoted scalar (JSON string syntax is valid YAML). */
    private static String q(String value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
