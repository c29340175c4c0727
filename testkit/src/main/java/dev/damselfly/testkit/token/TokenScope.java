package dev.damselfly.testkit.token;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * One parsed scope of the Docker token protocol, {@code TYPE:NAME:ACTIONS}, e.g.
 * {@code repository:library/alpine:pull,push} or {@code registry:catalog:*}. The name may itself
 * contain colons (the type ends at the first colon, the actions start after the last).
 *
 * @param type    resource type, e.g. {@code repository}; a class suffix like {@code repository(plugin)}
 *                is kept as part of the type
 * @param name    resource name, e.g. {@code library/alpine}
 * @param actions requested actions, sorted, without duplicates
 */
public record TokenScope(String type, String name, Set<String> actions) {

    // IllegalArgumentException when a field is empty.
    public TokenScope {
        if (type.isEmpty() || name.isEmpty()) {
            throw new IllegalArgumentException("scope needs a type and a name: " + type + ":" + name);
        }
        actions = Set.copyOf(new TreeSet<>(actions));
    }

    /**
     * @param scope {@code TYPE:NAME:ACTIONS}
     * @return the parsed scope
     * @throws IllegalArgumentException when the text has fewer than three parts
     */
    public static TokenScope parse(String scope) {
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first < 0 || last == first) {
            throw new IllegalArgumentException("malformed scope (want TYPE:NAME:ACTIONS): " + scope);
        }
        Set<String> actions = new TreeSet<>();
        for (String a : scope.substring(last + 1).split(",")) {
            if (!a.isBlank()) {
                actions.add(a.trim());
            }
        }
        return new TokenScope(scope.substring(0, first), scope.substring(first + 1, last), actions);
    }

    /**
     * @return {@code TYPE:NAME:a,b} with actions sorted, the key used by
     *         {@link TokenServer#tokensIssued(String)}
     */
    public String canonical() {
        return type + ":" + name + ":" + String.join(",", new TreeSet<>(actions));
    }

    /**
     * @param scope any spelling of a scope
     * @return its canonical form (actions sorted and de-duplicated)
     */
    public static String canonical(String scope) {
        return parse(scope).canonical();
    }

    @Override
    public String toString() {
        return canonical();
    }

    static Set<String> setOf(String... actions) {
        return new TreeSet<>(Arrays.asList(actions));
    }
}
