package dev.damselfly.testkit.registry;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import dev.damselfly.testkit.support.TestCertificates;

/**
 * A private CA and a server certificate for {@code 127.0.0.1} and {@code localhost}, generated fresh
 * (EC P-256, valid from one day ago for ten years), written as PEM files for a TLS registry. Clients
 * trust it through {@link #caFile()} (a CA file option) or {@link #sslContext()}.
 */
public final class TlsMaterial {
    private final X509Certificate ca;
    private final Path caFile;
    private final Path certificateFile;
    private final Path keyFile;

    private TlsMaterial(X509Certificate ca, Path caFile, Path certificateFile, Path keyFile) {
        this.ca = ca;
        this.caFile = caFile;
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
    }

    /** Generates the CA and server certificate and writes {@code ca.pem}, {@code server.pem}, {@code server-key.pem} into {@code dir}. */
    public static TlsMaterial generate(Path dir) {
        try {
            KeyPair caKeys = TestCertificates.ecKeyPair();
            KeyPair serverKeys = TestCertificates.ecKeyPair();
            Date from = TestCertificates.notBefore();
            Date to = TestCertificates.notAfter();
            X500Name caName = new X500Name("CN=damselfly-testkit CA");
            X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caName, TestCertificates.serial(), from, to, caName, caKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509Certificate ca = TestCertificates.sign(caBuilder, caKeys);
            X509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(ca, TestCertificates.serial(), from, to,
                    new X500Name("CN=127.0.0.1"), serverKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
            X509Certificate server = TestCertificates.sign(serverBuilder, caKeys);
            Files.createDirectories(dir);
            Path caFile = write(dir.resolve("ca.pem"), ca);
            Path certificateFile = write(dir.resolve("server.pem"), server);
            // PKCS#8 ("PRIVATE KEY"): Go's crypto/tls reads it for every key type.
            Path keyFile = write(dir.resolve("server-key.pem"), new PemObject("PRIVATE KEY", serverKeys.getPrivate().getEncoded()));
            return new TlsMaterial(ca, caFile, certificateFile, keyFile);
        } catch (GeneralSecurityException | IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new RegistryException("cannot generate TLS certificates in " + dir, e);
        }
    }

    /** The CA certificate, PEM. */
    public Path caFile() {
        return caFile;
    }

    /** The server certificate, PEM. */
    public Path certificateFile() {
        return certificateFile;
    }

    /** The server's private key, PEM. */
    public Path keyFile() {
        return keyFile;
    }

    /** A TLS context that trusts exactly this CA. */
    public SSLContext sslContext() {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("testkit-ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new RegistryException("cannot build a TLS context for the testkit CA", e);
        }
    }

    private static Path write(Path file, Object pemObject) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(pemObject);
        }
        Files.writeString(file, out.toString(), StandardCharsets.US_ASCII);
        return file;
    }
}
