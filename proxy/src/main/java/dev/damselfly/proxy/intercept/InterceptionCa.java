package dev.damselfly.proxy.intercept;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * The certificate authority HTTPS interception signs leaf certificates with: the operator's (PEM certificate and
 * key, checked at load: a CA certificate, currently valid, whose public key matches the key), or one generated on
 * first start (EC P-256, valid {@link #CA_VALIDITY}) and written to a directory, where later starts find it again
 * and operators pick up {@value #CERT_FILE} to make clients trust it. Leaf certificates ({@link #issue}) carry the
 * host as their only subject alternative name (a DNS name, or an IP address for an IP literal), an EC P-256 key of
 * their own, and a validity of {@link #LEAF_VALIDITY} (never past the CA's).
 */
public final class InterceptionCa {
    /** Name of the generated CA's certificate in its directory: {@value}. Distribute this file to clients. */
    public static final String CERT_FILE = "ca.pem";
    /** Name of the generated CA's private key in its directory (mode 0600 where POSIX permissions exist): {@value}. */
    public static final String KEY_FILE = "ca-key.pem";
    /** Validity of a generated CA: 10 years (3650 days). */
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** Validity of a leaf certificate: 30 days (the proxy reissues long before, see {@link LeafCertificates}). */
    public static final Duration LEAF_VALIDITY = Duration.ofDays(30);
    /** Certificates start this long before now, against clock skew between the node and its clients: 1 hour. */
    public static final Duration BACKDATE = Duration.ofHours(1);

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;
    private final String signatureAlgorithm;
    private final Path certificateFile;

    private InterceptionCa(X509Certificate certificate, PrivateKey key, String signatureAlgorithm, Path certificateFile) {
        this.certificate = certificate;
        this.key = key;
        this.signatureAlgorithm = signatureAlgorithm;
        this.certificateFile = certificateFile;
    }

    /** The operator's CA: a PEM certificate and its unencrypted PEM private key. */
    public static InterceptionCa load(Path certFile, Path keyFile) throws CaFileException {
        X509Certificate certificate = readCertificate(certFile);
        PrivateKey key = readKey(keyFile);
        if (certificate.getBasicConstraints() < 0) {
            throw new CaFileException(certFile, "the certificate (" + certificate.getSubjectX500Principal().getName()
                    + ") is not a CA certificate (no basicConstraints CA:TRUE), so clients would not accept what it signs");
        }
        try {
            certificate.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw new CaFileException(certFile, "the certificate is not valid now (valid " + certificate.getNotBefore().toInstant()
                    + " to " + certificate.getNotAfter().toInstant() + ")");
        }
        String algorithm = signatureAlgorithm(key, keyFile);
        if (!keyMatches(certificate, key, algorithm)) {
            throw new CaFileException(keyFile, "the private key does not belong to the certificate in " + certFile);
        }
        return new InterceptionCa(certificate, key, algorithm, certFile);
    }

    /**
     * The CA kept in {@code dir} ({@value #CERT_FILE}, {@value #KEY_FILE}), generated and written there first when the
     * directory holds neither file. One file without the other is an error (never silently replaced).
     */
    public static InterceptionCa loadOrGenerate(Path dir) throws CaFileException {
        Path certFile = dir.resolve(CERT_FILE);
        Path keyFile = dir.resolve(KEY_FILE);
        boolean haveCert = Files.exists(certFile);
        boolean haveKey = Files.exists(keyFile);
        if (haveCert && haveKey) {
            return load(certFile, keyFile);
        }
        if (haveCert || haveKey) {
            Path missing = haveCert ? keyFile : certFile;
            throw new CaFileException(missing, "missing, while " + (haveCert ? certFile : keyFile) + " exists; restore it or"
                    + " remove both to generate a new CA (clients must then trust the new " + CERT_FILE + ")");
        }
        return generate(dir, certFile, keyFile);
    }

    private static InterceptionCa generate(Path dir, Path certFile, Path keyFile) throws CaFileException {
        KeyPair keys;
        X509Certificate certificate;
        try {
            keys = ecKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.CN, "Damselfly proxy CA " + new BigInteger(32, RANDOM).toString(16))
                    .addRDN(BCStyle.O, "Damselfly").build();
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(CA_VALIDITY)), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
            certificate = sign(builder, keys.getPrivate(), "SHA256withECDSA");
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new CaFileException(certFile, "cannot generate a CA: " + e.getMessage(), e);
        }
        try {
            Files.createDirectories(dir);
            // Key first, then the certificate: a crash in between leaves a lone key, reported on the next start.
            writeAtomically(keyFile, pem(new PemObject("PRIVATE KEY", keys.getPrivate().getEncoded())), true);
            writeAtomically(certFile, pem(certificate), false);
        } catch (IOException e) {
            throw new CaFileException(certFile, "cannot write the generated CA: " + e.getMessage(), e);
        }
        return new InterceptionCa(certificate, keys.getPrivate(), "SHA256withECDSA", certFile);
    }

    /** The CA certificate clients must trust. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** The PEM file holding {@link #certificate()}. */
    public Path certificateFile() {
        return certificateFile;
    }

    /** A new leaf certificate for {@code host} (a DNS name or an IP literal), with a key of its own. */
    public IssuedCertificate issue(String host) throws GeneralSecurityException {
        try {
            KeyPair keys = ecKeyPair();
            Instant now = Instant.now();
            Date notAfter = Date.from(now.plus(LEAF_VALIDITY));
            if (notAfter.after(certificate.getNotAfter())) {
                notAfter = certificate.getNotAfter();
            }
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.CN, host.length() <= 64 ? host : "damselfly-intercepted").build();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now.minus(BACKDATE)),
                    notAfter, subject, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(subjectAltName(host)))
                    .addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(certificate))
                    .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
            return new IssuedCertificate(keys.getPrivate(), sign(builder, key, signatureAlgorithm), certificate);
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot issue a certificate for " + host + ": " + e.getMessage(), e);
        }
    }

    private static GeneralName subjectAltName(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (IPV4.matcher(bare).matches() || bare.contains(":")) {
            return new GeneralName(GeneralName.iPAddress, bare);
        }
        return new GeneralName(GeneralName.dNSName, bare);
    }

    private static X509Certificate readCertificate(Path file) throws CaFileException {
        Object object = readFirstPem(file, "certificate");
        if (!(object instanceof X509CertificateHolder holder)) {
            throw new CaFileException(file, "holds no PEM certificate (found " + describe(object) + ")");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (GeneralSecurityException e) {
            throw new CaFileException(file, "the certificate cannot be decoded: " + e.getMessage(), e);
        }
    }

    private static PrivateKey readKey(Path file) throws CaFileException {
        Object object = readFirstPem(file, "private key");
        PrivateKeyInfo info;
        if (object instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else if (object instanceof PrivateKeyInfo plain) {
            info = plain;
        } else if (object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo) {
            throw new CaFileException(file, "the private key is encrypted; give it unencrypted (readable by the node only)");
        } else {
            throw new CaFileException(file, "holds no PEM private key (found " + describe(object) + ")");
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException e) {
            throw new CaFileException(file, "the private key cannot be decoded: " + e.getMessage(), e);
        }
    }

    /** The first PEM object of {@code file}, skipping none; null when the file holds no PEM at all. */
    private static Object readFirstPem(Path file, String what) throws CaFileException {
        if (!Files.isRegularFile(file)) {
            throw new CaFileException(file, "does not exist or is not a file (expected a PEM " + what + ")");
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            return parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new CaFileException(file, "cannot be read as PEM (expected a " + what + "): " + e.getMessage(), e);
        }
    }

    private static String describe(Object object) {
        return object == null ? "no PEM block" : object.getClass().getSimpleName();
    }

    private static String signatureAlgorithm(PrivateKey key, Path keyFile) throws CaFileException {
        return switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new CaFileException(keyFile, "unsupported key algorithm " + key.getAlgorithm() + " (EC, RSA or Ed25519)");
        };
    }

    private static boolean keyMatches(X509Certificate certificate, PrivateKey key, String algorithm) {
        try {
            byte[] probe = new byte[32];
            RANDOM.nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer, String algorithm)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(signer)));
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    private static void writeAtomically(Path file, String content, boolean secret) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(temp);
        }
        Files.writeString(temp, content, StandardCharsets.US_ASCII);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }
}
