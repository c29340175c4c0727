package dev.damselfly.testkit.token;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The token server's key material, generated fresh at start: an EC P-256 root CA (written as the
 * registry's {@code rootcertbundle}) and an EC P-256 signing certificate issued by it. Both are
 * valid from one day before creation to ten years after.
 */
final class TokenSigningKeys {

    private static final Duration BACKDATE = Duration.ofDays(1);
    private static final Duration VALIDITY = Duration.ofDays(3650);

    private final KeyPair rootKeys;
    private final X509Certificate rootCertificate;
    private final KeyPair leafKeys;
    private final X509Certificate leafCertificate;

    private TokenSigningKeys(KeyPair rootKeys, X509Certificate root, KeyPair leafKeys, X509Certificate leaf) {
        this.rootKeys = rootKeys;
        this.rootCertificate = root;
        this.leafKeys = leafKeys;
        this.leafCertificate = leaf;
    }

    static TokenSigningKeys generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair root = generator.generateKeyPair();
            KeyPair leaf = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name rootName = new X500Name("CN=damselfly-testkit token root");
            X500Name leafName = new X500Name("CN=damselfly-testkit token signer");
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

            X509v3CertificateBuilder rootBuilder = new JcaX509v3CertificateBuilder(rootName, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)), rootName, root.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(root.getPublic()));
            X509Certificate rootCert = sign(rootBuilder, root);

            X509v3CertificateBuilder leafBuilder = new JcaX509v3CertificateBuilder(rootCert, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(VALIDITY)), leafName, leaf.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(leaf.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(rootCert));
            X509Certificate leafCert = sign(leafBuilder, root);
            return new TokenSigningKeys(root, rootCert, leaf, leafCert);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new TokenServerException("cannot generate the token signing certificates", e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE);
    }

    KeyPair rootKeys() {
        return rootKeys;
    }

    KeyPair leafKeys() {
        return leafKeys;
    }

    X509Certificate rootCertificate() {
        return rootCertificate;
    }

    byte[] leafCertificateDer() {
        try {
            return leafCertificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new TokenServerException("cannot encode the signing certificate", e);
        }
    }

    String rootCertificatePem() {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(rootCertificate);
        } catch (IOException e) {
            throw new TokenServerException("cannot PEM-encode the root certificate", e);
        }
        return out.toString();
    }
}
