package dev.damselfly.testkit.junit;

/**
 * Not an error: the registry's output tail, attached by {@link RegistryExtension} as a suppressed
 * exception to a failing test's exception so it shows up in the test report.
 */
public final class RegistryLogs extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param registry description of the registry
     * @param tail     last lines of its output
     */
    public RegistryLogs(String registry, String tail) {
        super("output tail of " + registry + ":\n" + tail, null, false, false);
    }
}
