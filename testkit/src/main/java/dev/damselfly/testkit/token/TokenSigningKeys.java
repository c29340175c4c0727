package dev.damselfly.testkit.token;

import dev.damselfly.testkit.support.TestCertificates;
import java.io.IOException;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * The token server's key material, generated fresh at start: an EC P-256 root CA (written as the
 * registry's {@code rootcertbundle}) and an EC P-256 signing certificate issued by it. Both are
 * valid from one day before creation to ten years after.
 */
final class TokenSigningKeys {


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
            KeyPair root = TestCertificates.ecKeyPair();
            KeyPair leaf = TestCertificates.ecKeyPair();
            X500Name rootName = new X500Name("CN=damselfly-testkit token root");
            X500Name leafName = new X500Name("CN=damselfly-testkit token signer");
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

            X509v3CertificateBuilder rootBuilder = new JcaX509v3CertificateBuilder(rootName, TestCertificates.serial(),
                    TestCertificates.notBefore(), TestCertificates.notAfter(), rootName, root.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(root.getPublic()));
            X509Certificate rootCert = TestCertificates.sign(rootBuilder, root);

            X509v3CertificateBuilder leafBuilder = new JcaX509v3CertificateBuilder(rootCert, TestCertificates.serial(),
                    TestCertificates.notBefore(), TestCertificates.notAfter(), leafName, leaf.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(leaf.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(rootCert));
            X509Certificate leafCert = TestCertificates.sign(leafBuilder, root);
            return new TokenSigningKeys(root, rootCert, leaf, leafCert);
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new TokenServerException("cannot generate the token signing certificates", e);
        }
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
