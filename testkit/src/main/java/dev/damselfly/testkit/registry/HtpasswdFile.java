package dev.damselfly.testkit.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Writes an Apache htpasswd file with bcrypt hashes ({@code $2y$}, like {@code htpasswd -B}), the
 * only hash Distribution's htpasswd auth accepts.
 */
final class HtpasswdFile {

    /** bcrypt cost used: 5 (htpasswd's default; Go accepts 4..31). */
    static final int COST = 5;

    private HtpasswdFile() {
    }

    static void write(Path file, Map<String, String> users) {
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        users.forEach((user, password) -> {
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            sb.append(user).append(':')
                    .append(OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, COST))
                    .append('\n');
        });
        try {
            Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RegistryException("cannot write htpasswd file " + file, e);
        }
    }
}
