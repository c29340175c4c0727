package dev.damselfly.proxy.intercept;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;

/**
 * A leaf certificate issued by the {@link InterceptionCa}, with its private key.
 *
 * @param key         the leaf's private key (never written to disk)
 * @param certificate the leaf certificate
 * @param issuer      the CA certificate that signed it (sent after the leaf in the handshake)
 */
public record IssuedCertificate(PrivateKey key, X509Certificate certificate, X509Certificate issuer) {
}
