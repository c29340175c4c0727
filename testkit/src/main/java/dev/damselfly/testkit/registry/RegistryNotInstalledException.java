package dev.damselfly.testkit.registry;

import java.nio.file.Path;

/** The {@code docker-registry} binary is missing or not executable. Never a reason to skip a test. */
public final class RegistryNotInstalledException extends RegistryException {

    private static final long serialVersionUID = 1L;

    /** @param binary where the binary was looked for */
    public RegistryNotInstalledException(Path binary) {
        super("Docker Distribution registry binary not found or not executable at " + binary
                + ". Run scripts/test (it installs the Debian package docker-registry), or apt-get install docker-registry;"
                + " override the location with -D" + RegistryServer.BINARY_PROPERTY + "=PATH.", null);
    }
}
