package dev.damselfly.oci;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An image reference {@code [host[:port]/]repository[:tag][@digest]} with Docker Hub's defaults:
 * no host means {@value #DOCKER_HUB}, a one-component repository on Docker Hub gets the
 * {@code library/} prefix, and neither tag nor digest means tag {@value #DEFAULT_TAG}.
 */
public final class ImageReference {
    /** The canonical name of Docker Hub in references. */
    public static final String DOCKER_HUB = "docker.io";
    /** The host that serves Docker Hub's registry API. */
    public static final String DOCKER_HUB_API_HOST = "registry-1.docker.io";
    /** Tag assumed when a reference has neither tag nor digest. */
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]{1,5})?");
    private static final int MAX_NAME_LENGTH = 255;

    private final String registry;
    private final String repository;
    private final String tag;
    private final Digest digest;

    private ImageReference(String registry, String repository, String tag, Digest digest) {
        this.registry = registry;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }

    /** Builds a reference from parts; {@code tag} and {@code digest} may be null (not both for pulls). */
    public static ImageReference of(String registry, String repository, String tag, Digest digest) {
        String text = registry + "/" + repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
        if (!HOST.matcher(registry).matches()) {
            throw new InvalidReferenceException(text, "bad registry host '" + registry + "'");
        }
        validateRepository(text, repository);
        if (tag != null && !TAG.matcher(tag).matches()) {
            throw new InvalidReferenceException(text, "bad tag '" + tag + "'");
        }
        return new ImageReference(normalizeRegistry(registry), repository, tag, digest);
    }

    /** Parses a reference, applying the Docker Hub defaults described on the class. */
    public static ImageReference parse(String text) {
        Objects.requireNonNull(text, "reference");
        if (text.isEmpty()) {
            throw new InvalidReferenceException(text, "empty");
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (InvalidReferenceException e) {
                throw new InvalidReferenceException(text, e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
                if (!HOST.matcher(first).matches()) {
                    throw new InvalidReferenceException(text, "bad registry host '" + first + "'");
                }
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new InvalidReferenceException(text, "bad tag '" + tag + "'");
            }
        }
        registry = normalizeRegistry(registry);
        String repository = rest;
        if (registry.equals(DOCKER_HUB) && !repository.contains("/")) {
            repository = "library/" + repository;
        }
        validateRepository(text, repository);
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new ImageReference(registry, repository, tag, digest);
    }

    private static String normalizeRegistry(String registry) {
        return registry.equals("index.docker.io") ? DOCKER_HUB : registry;
    }

    private static void validateRepository(String text, String repository) {
        if (repository.isEmpty()) {
            throw new InvalidReferenceException(text, "empty repository name");
        }
        if (repository.length() > MAX_NAME_LENGTH) {
            throw new InvalidReferenceException(text, "repository name longer than " + MAX_NAME_LENGTH + " characters");
        }
        for (String component : repository.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new InvalidReferenceException(text, "bad repository path component '" + component
                        + "' (lowercase letters, digits and single separators . _ __ - only)");
            }
        }
    }

    /** The registry as written in references ({@code docker.io}, {@code 127.0.0.1:5000}). */
    public String registry() {
        return registry;
    }

    /** The host[:port] that serves the registry API ({@value #DOCKER_HUB_API_HOST} for Docker Hub). */
    public String apiHost() {
        return registry.equals(DOCKER_HUB) ? DOCKER_HUB_API_HOST : registry;
    }

    public String repository() {
        return repository;
    }

    public Optional<String> tag() {
        return Optional.ofNullable(tag);
    }

    public Optional<Digest> digest() {
        return Optional.ofNullable(digest);
    }

    /** What to put after {@code /manifests/}: the digest when there is one, else the tag. */
    public String manifestReference() {
        return digest != null ? digest.toString() : tag;
    }

    /** The same repository pinned to {@code newDigest}, keeping the tag for display. */
    public ImageReference withDigest(Digest newDigest) {
        return new ImageReference(registry, repository, tag, newDigest);
    }

    /** The same repository with {@code newTag} and no digest. */
    public ImageReference withTag(String newTag) {
        return of(registry, repository, newTag, null);
    }

    /** Another repository of the same registry, same tag and digest. */
    public ImageReference withRepository(String newRepository) {
        return of(registry, newRepository, tag, digest);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageReference other && registry.equals(other.registry) && repository.equals(other.repository)
                && Objects.equals(tag, other.tag) && Objects.equals(digest, other.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registry, repository, tag, digest);
    }

    /** The fully qualified form, e.g. {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        return registry + "/" + repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
    }
}
