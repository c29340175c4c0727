package dev.damselfly.testkit.image;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests in OCI form, {@code sha256:} followed by 64 lower-case hex digits. */
public final class Digests {

    private Digests() {
    }

    /** @return a new SHA-256 MessageDigest */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * @param digest a finished MessageDigest
     * @return {@code sha256:HEX}
     */
    public static String format(MessageDigest digest) {
        return "sha256:" + HexFormat.of().formatHex(digest.digest());
    }

    /**
     * @param data bytes
     * @return {@code sha256:HEX} of {@code data}
     */
    public static String sha256(byte[] data) {
        MessageDigest md = newSha256();
        md.update(data);
        return format(md);
    }

    /**
     * @param in a stream, read to the end (not closed)
     * @return {@code sha256:HEX} of its content
     * @throws UncheckedIOException on read errors
     */
    public static String sha256(InputStream in) {
        MessageDigest md = newSha256();
        byte[] buffer = new byte[256 * 1024];
        try {
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read stream to digest", e);
        }
        return format(md);
    }

    /**
     * @param file a file
     * @return {@code sha256:HEX} of its content
     */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot digest " + file, e);
        }
    }
}
