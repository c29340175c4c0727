package dev.damselfly.proxy.intercept;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which {@code CONNECT} tunnels the proxy opens itself (TLS terminated with a certificate of its own CA, the
 * requests inside handled as forward-proxy requests to {@code https://HOST:PORT}) and with which CA. Off unless
 * at least one host is listed. Other allowed hosts stay raw tunnels.
 *
 * @param hosts  the registries to intercept, each as the registry's configured name or as {@code host[:port]} of
 *               its upstream (port default 443); each must be one of the proxy's registries; default none
 * @param caCert the operator's CA certificate (PEM), together with {@code caKey}; default none: a CA is generated
 * @param caKey  the operator's CA private key (PEM, unencrypted PKCS#8 or traditional); default none
 * @param caDir  where a generated CA is kept ({@value InterceptionCa#CERT_FILE}, {@value InterceptionCa#KEY_FILE}) and
 *               reused on later starts; required when no {@code caCert} is given
 */
public record HttpsInterception(List<String> hosts, Optional<Path> caCert, Optional<Path> caKey, Optional<Path> caDir) {

    public HttpsInterception {
        hosts = hosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("HTTPS interception needs at least one host");
        }
        if (caCert.isPresent() != caKey.isPresent()) {
            throw new IllegalArgumentException("HTTPS interception needs both a CA certificate and its key, or neither"
                    + " (then a CA is generated in caDir)");
        }
        if (caCert.isEmpty() && caDir.isEmpty()) {
            throw new IllegalArgumentException("HTTPS interception needs a CA (caCert and caKey) or a directory (caDir)"
                    + " to keep a generated one in");
        }
    }

    /** Interception with a CA generated on first start and kept in {@code caDir}. */
    public static HttpsInterception generatedCa(List<String> hosts, Path caDir) {
        return new HttpsInterception(hosts, Optional.empty(), Optional.empty(), Optional.of(caDir));
    }

    /** Interception with the operator's CA. */
    public static HttpsInterception operatorCa(List<String> hosts, Path caCert, Path caKey) {
        return new HttpsInterception(hosts, Optional.of(caCert), Optional.of(caKey), Optional.empty());
    }

    /** Loads (or generates) the CA this configuration names. */
    public InterceptionCa loadCa() throws CaFileException {
        return caCert.isPresent() ? InterceptionCa.load(caCert.get(), caKey.orElseThrow()) : InterceptionCa.loadOrGenerate(caDir.orElseThrow());
    }
}
