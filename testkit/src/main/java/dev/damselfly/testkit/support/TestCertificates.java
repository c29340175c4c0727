package dev.damselfly.testkit.support;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * What every certificate the test kit makes shares: EC P-256 keys, a validity from one day ago for ten years,
 * random serials, SHA256withECDSA signatures.
 */
public final class TestCertificates {
    /** Certificates start this long before now, against clock skew: 1 day. */
    public static final Duration BACKDATE = Duration.ofDays(1);
    /** And last this long: 10 years. */
    public static final Duration VALIDITY = Duration.ofDays(3650);

    private TestCertificates() {
    }

    /** A fresh EC P-256 key pair. */
    public static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return generator.generateKeyPair();
    }

    /** Start of validity. */
    public static Date notBefore() {
        return Date.from(Instant.now().minus(BACKDATE));
    }

    /** End of validity. */
    public static Date notAfter() {
        return Date.from(Instant.now().plus(VALIDITY));
    }

    /** A positive random 64-bit serial number. */
    public static BigInteger serial() {
        return new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE);
    }

    /** Signs {@code builder} with {@code issuer}'s private key. */
    public static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }
}
