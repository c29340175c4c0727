package dev.damselfly.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Locale;

/**
 * A platform as in an image index entry ({@code os}, {@code architecture}, optional {@code variant}).
 * Architecture names follow Go's GOARCH ({@code amd64}, {@code arm64}).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Platform(
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("variant") String variant,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures) {

    /** {@code os/arch[/variant]}, e.g. {@code linux/arm64/v8}. */
    public static Platform parse(String text) {
        String[] parts = text.split("/");
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new IllegalArgumentException("platform must be os/arch[/variant], got '" + text + "'");
        }
        return new Platform(parts[1], parts[0], parts.length == 3 ? parts[2] : null, null, null);
    }

    /** The platform this JVM runs on, in OCI names. */
    public static Platform current() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String ociArch = switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> arch;
        };
        return new Platform(ociArch, "linux", null, null, null);
    }

    /**
     * True when an index entry's platform satisfies this wanted platform: same os and architecture,
     * and the same variant when this one names a variant ({@code arm64} and {@code arm64/v8} are one).
     */
    public boolean isSatisfiedBy(Platform offered) {
        if (offered == null || !os.equals(offered.os) || !architecture.equals(offered.architecture)) {
            return false;
        }
        if (variant == null || variant.isEmpty()) {
            return true;
        }
        String offeredVariant = offered.variant == null ? defaultVariant(architecture) : offered.variant;
        return variant.equals(offeredVariant);
    }

    private static String defaultVariant(String architecture) {
        return "arm64".equals(architecture) ? "v8" : null;
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null || variant.isEmpty() ? "" : "/" + variant);
    }
}
