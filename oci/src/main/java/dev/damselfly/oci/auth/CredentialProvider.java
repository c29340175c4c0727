package dev.damselfly.oci.auth;

import java.util.Optional;

/** Finds credentials for a registry, named as in references ({@code docker.io}, {@code host:5000}). */
@FunctionalInterface
public interface CredentialProvider {
    /** No credentials for any registry: anonymous access only. */
    CredentialProvider ANONYMOUS = registry -> Optional.empty();

    /**
     * @throws CredentialLookupException when a configured source (a helper program) fails
     */
    Optional<Credentials> forRegistry(String registry);

    /** This provider first, then {@code fallback} for registries this one does not know. */
    default CredentialProvider orElse(CredentialProvider fallback) {
        return registry -> {
            Optional<Credentials> found = forRegistry(registry);
            return found.isPresent() ? found : fallback.forRegistry(registry);
        };
    }

    /** Fixed credentials for exactly one registry. */
    static CredentialProvider of(String registry, Credentials credentials) {
        return asked -> asked.equals(registry) ? Optional.of(credentials) : Optional.empty();
    }
}
