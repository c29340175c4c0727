package dev.damselfly.testkit.image;

/**
 * An image platform.
 *
 * @param os           e.g. {@code linux}
 * @param architecture GOARCH name, e.g. {@code amd64}, {@code arm64}
 * @param variant      e.g. {@code v8}, or {@code null}
 */
public record Platform(String os, String architecture, String variant) {

    /** linux/amd64. */
    public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", null);
    /** linux/arm64/v8. */
    public static final Platform LINUX_ARM64_V8 = new Platform("linux", "arm64", "v8");

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
