package dev.damselfly.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An image index (OCI) or manifest list (Docker): one manifest per platform. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageIndex(
        @JsonProperty("schemaVersion") int schemaVersion,
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("manifests") List<Descriptor> manifests,
        @JsonProperty("annotations") Map<String, String> annotations) {

    public ImageIndex {
        manifests = manifests == null ? List.of() : List.copyOf(manifests);
    }

    /**
     * The first manifest whose platform satisfies {@code wanted}
     * (see {@link Platform#isSatisfiedBy}); attestation entries (platform unknown/unknown) never match.
     */
    public Optional<Descriptor> select(Platform wanted) {
        return manifests.stream().filter(m -> wanted.isSatisfiedBy(m.platform())).findFirst();
    }
}
