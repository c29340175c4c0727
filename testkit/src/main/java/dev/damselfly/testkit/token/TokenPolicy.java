package dev.damselfly.testkit.token;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Who may log in and which actions each subject gets. Defaults: a known user without explicit
 * grants gets every requested action on every resource; an anonymous client (when allowed) without
 * explicit grants gets {@code pull} on every {@code repository}. Explicit grants replace the default
 * for their subject: the granted actions are the union of all grants whose repository glob matches,
 * intersected with the requested actions.
 */
final class TokenPolicy {

    /** A grant of actions on repositories matching a glob ({@code *} matches any characters, including {@code /}). */
    record Grant(String repositoryGlob, Pattern pattern, Set<String> actions) {
    }

    private final Map<String, String> passwords;
    private final boolean anonymousAllowed;
    private final Map<String, List<Grant>> grants;

    TokenPolicy(Map<String, String> passwords, boolean anonymousAllowed, Map<String, List<Grant>> grants) {
        this.passwords = Map.copyOf(passwords);
        this.anonymousAllowed = anonymousAllowed;
        Map<String, List<Grant>> copy = new LinkedHashMap<>();
        grants.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        this.grants = copy;
    }

    static Grant grant(String glob, String... actions) {
        return new Grant(glob, Pattern.compile(regexFor(glob)), TokenScope.setOf(actions));
    }

    private static String regexFor(String glob) {
        StringBuilder regex = new StringBuilder();
        String[] parts = glob.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(parts[i]));
        }
        return regex.toString();
    }

    boolean anonymousAllowed() {
        return anonymousAllowed;
    }

    /**
     * @param user     user name from Basic auth
     * @param password its password
     * @return true when the pair matches a configured user
     */
    boolean authenticate(String user, String password) {
        String expected = passwords.get(user);
        return expected != null && expected.equals(password);
    }

    boolean knownUser(String user) {
        return passwords.containsKey(user);
    }

    /**
     * @param subject   user name, or {@link TokenServer#ANONYMOUS}
     * @param requested the requested scope
     * @return the actions to put in the token for that resource (possibly empty)
     */
    Set<String> allowedActions(String subject, TokenScope requested) {
        List<Grant> explicit = grants.get(subject);
        Set<String> allowed = new TreeSet<>();
        if (explicit == null) {
            if (TokenServer.ANONYMOUS.equals(subject)) {
                if (requested.type().equals("repository") && requested.actions().contains("pull")) {
                    allowed.add("pull");
                }
            } else {
                allowed.addAll(requested.actions());
            }
            return allowed;
        }
        if (!requested.type().equals("repository")) {
            return allowed;
        }
        for (Grant g : explicit) {
            if (g.pattern().matcher(requested.name()).matches()) {
                allowed.addAll(g.actions());
            }
        }
        if (!allowed.contains("*")) {
            allowed.retainAll(requested.actions());
        } else {
            allowed = new TreeSet<>(requested.actions());
        }
        return allowed;
    }
}
