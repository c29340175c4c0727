package dev.damselfly.oci.registry;

import dev.damselfly.oci.Digest;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.oci.auth.Scope;
import java.io.IOException;
import java.net.URI;

/** {@code PUT /v2/NAME/manifests/REFERENCE} with the document's exact bytes and media type. */
final class ManifestPusher {
    private final RegistryHttp http;

    ManifestPusher(RegistryHttp http) {
        this.http = http;
    }

    /** Pushes under the reference's tag, or its digest when it has no tag; returns the digest. */
    Digest push(ImageReference ref, ManifestDocument document) throws IOException {
        String reference = ref.tag().orElse(document.digest().toString());
        URI uri = http.baseUri(ref.apiHost()).resolve("/v2/" + ref.repository() + "/manifests/" + reference);
        String subject = ref.repository() + ":" + reference;
        HttpCall call = HttpCall.of("PUT", uri, ref.registry(), Scope.push(ref.repository()), ref.registry() + "/" + subject)
                .header("Content-Type", document.mediaType())
                .body(RequestBody.ofBytes(document.bytes()));
        try (RegistryResponse response = http.send(call)) {
            ResponseErrors.require(response, call.subject(), 201, 200);
            String echoed = response.header("Docker-Content-Digest").orElse(null);
            if (echoed != null && !echoed.equals(document.digest().toString())) {
                throw new RegistryException.UnexpectedResponseException(call.subject(), response.status(),
                        "registry stored digest " + echoed + " but we sent " + document.digest());
            }
            return document.digest();
        }
    }
}
