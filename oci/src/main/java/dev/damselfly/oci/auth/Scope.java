package dev.damselfly.oci.auth;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A set of token-scope strings ({@code repository:NAME:pull,push}) in a stable order, so it can key
 * the token cache.
 */
public record Scope(List<String> entries) {

    public Scope {
        entries = entries.stream().distinct().sorted().collect(Collectors.toUnmodifiableList());
    }

    /** {@code repository:NAME:pull}. */
    public static Scope pull(String repository) {
        return new Scope(List.of("repository:" + repository + ":pull"));
    }

    /** {@code repository:NAME:pull,push}. */
    public static Scope push(String repository) {
        return new Scope(List.of("repository:" + repository + ":pull,push"));
    }

    /** No scope at all (the {@code /v2/} ping). */
    public static Scope none() {
        return new Scope(List.of());
    }

    /** This scope plus more entries (e.g. a challenge's own scope, or pull on a mount source). */
    public Scope plus(String... more) {
        List<String> all = new java.util.ArrayList<>(entries);
        all.addAll(Arrays.asList(more));
        return new Scope(all);
    }

    /** The union of both scopes. */
    public Scope plus(Scope other) {
        return plus(other.entries.toArray(String[]::new));
    }

    @Override
    public String toString() {
        return String.join(" ", entries);
    }
}
