package dev.damselfly.oci.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
    @TempDir
    Path dir;

    @Test
    void readsAuthUsernamePasswordAndIdentityToken() throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"auths\":{"
                + "\"https://index.docker.io/v1/\":{\"auth\":\"aHViOnB3\"},"
                + "\"127.0.0.1:5000\":{\"username\":\"u\",\"password\":\"p\"},"
                + "\"https://ghcr.example/v2/\":{\"identitytoken\":\"refresh-me\"}}}");
        DockerConfigCredentials creds = DockerConfigCredentials.load(file);
        Credentials hub = creds.forRegistry("docker.io").orElseThrow();
        assertEquals("hub", hub.username());
        assertEquals("pw", hub.secret());
        assertEquals("p", creds.forRegistry("127.0.0.1:5000").orElseThrow().secret());
        Credentials token = creds.forRegistry("ghcr.example").orElseThrow();
        assertTrue(token.isIdentityToken());
        assertEquals("refresh-me", token.secret());
        assertTrue(creds.forRegistry("unknown.example").isEmpty());
    }

    @Test
    void missingFileMeansAnonymous() {
        assertTrue(DockerConfigCredentials.load(dir.resolve("absent.json")).forRegistry("docker.io").isEmpty());
    }

    @Test
    void malformedFileIsATypedError() throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{not json");
        assertThrows(CredentialLookupException.class, () -> DockerConfigCredentials.load(file));
    }

    @Test
    void runsCredentialHelperFromPath() throws Exception {
        // A real helper program on PATH speaking the docker-credential protocol.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path helper = bin.resolve("docker-credential-damselflytest");
        Files.writeString(helper, "#!/bin/sh\nread server\nif [ \"$server\" = \"helped.example\" ]; then\n"
                + "  echo '{\"ServerURL\":\"helped.example\",\"Username\":\"h\",\"Secret\":\"from-helper\"}'\n"
                + "else echo 'credentials not found in native keychain'; exit 1; fi\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"credHelpers\":{\"helped.example\":\"damselflytest\"}}");
        DockerConfigCredentials viaPath = DockerConfigCredentials.load(file, bin);
        Credentials found = viaPath.forRegistry("helped.example").orElseThrow();
        assertEquals("h", found.username());
        assertEquals("from-helper", found.secret());
        assertTrue(viaPath.forRegistry("other.example").isEmpty(), "registries without a helper or auths entry");
        Files.writeString(file, "{\"credsStore\":\"damselflytest\"}");
        assertTrue(DockerConfigCredentials.load(file, bin).forRegistry("nothere.example").isEmpty(),
                "the helper's 'credentials not found' is no credentials, not an error");
        Files.writeString(file, "{\"credsStore\":\"missinghelper\"}");
        assertThrows(CredentialLookupException.class, () -> DockerConfigCredentials.load(file, bin).forRegistry("x.example"));
    }
}
