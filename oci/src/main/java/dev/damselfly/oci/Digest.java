package dev.damselfly.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A content digest {@code algorithm:hex} as used by OCI ({@code sha256:...}, {@code sha512:...}).
 * Immutable; {@link #toString()} gives the canonical form.
 */
public final class Digest {
    private static final Pattern ALGORITHM = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*");
    private static final Pattern HEX = Pattern.compile("[a-f0-9]+");

    private final String algorithm;
    private final String hex;

    private Digest(String algorithm, String hex) {
        this.algorithm = algorithm;
        this.hex = hex;
    }

    /** Parses {@code algorithm:hex}; sha256 must have 64 hex digits, sha512 128. */
    public static Digest parse(String text) {
        Objects.requireNonNull(text, "digest");
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new InvalidReferenceException(text, "a digest is algorithm:hex");
        }
        String algorithm = text.substring(0, colon);
        String hex = text.substring(colon + 1);
        if (!ALGORITHM.matcher(algorithm).matches()) {
            throw new InvalidReferenceException(text, "bad digest algorithm '" + algorithm + "'");
        }
        if (!HEX.matcher(hex).matches()) {
            throw new InvalidReferenceException(text, "digest must be lowercase hex");
        }
        int expectedLength = switch (algorithm) {
            case "sha256" -> 64;
            case "sha512" -> 128;
            default -> -1;
        };
        if (expectedLength > 0 && hex.length() != expectedLength) {
            throw new InvalidReferenceException(text, algorithm + " needs " + expectedLength + " hex digits, got " + hex.length());
        }
        return new Digest(algorithm, hex);
    }

    /** The digest of {@code algorithm} (e.g. "sha256") over raw bytes already computed. */
    public static Digest of(String algorithm, byte[] rawDigest) {
        return new Digest(algorithm, HexFormat.of().formatHex(rawDigest));
    }

    /** SHA-256 of the given bytes. */
    public static Digest sha256(byte[] content) {
        return of("sha256", newMessageDigest("sha256").digest(content));
    }

    /** A fresh {@link MessageDigest} for an OCI algorithm name (sha256, sha384, sha512). */
    public static MessageDigest newMessageDigest(String algorithm) {
        String javaName = switch (algorithm.toLowerCase(Locale.ROOT)) {
            case "sha256" -> "SHA-256";
            case "sha384" -> "SHA-384";
            case "sha512" -> "SHA-512";
            default -> throw new UnsupportedDigestAlgorithmException(algorithm);
        };
        try {
            return MessageDigest.getInstance(javaName);
        } catch (NoSuchAlgorithmException e) {
            throw new UnsupportedDigestAlgorithmException(algorithm);
        }
    }

    /** A fresh {@link MessageDigest} for this digest's algorithm. */
    public MessageDigest newMessageDigest() {
        return newMessageDigest(algorithm);
    }

    public String algorithm() {
        return algorithm;
    }

    public String hex() {
        return hex;
    }

    /** The first 12 hex digits: enough to name a blob in a log line or a progress bar. */
    public String shortHex() {
        return hex.substring(0, Math.min(12, hex.length()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest other && algorithm.equals(other.algorithm) && hex.equals(other.hex);
    }

    @Override
    public int hashCode() {
        return algorithm.hashCode() * 31 + hex.hashCode();
    }

    @Override
    public String toString() {
        return algorithm + ':' + hex;
    }

    /** A digest algorithm this client cannot compute. */
    public static final class UnsupportedDigestAlgorithmException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public UnsupportedDigestAlgorithmException(String algorithm) {
            super("unsupported digest algorithm '" + algorithm + "' (supported: sha256, sha384, sha512)");
        }
    }
}
