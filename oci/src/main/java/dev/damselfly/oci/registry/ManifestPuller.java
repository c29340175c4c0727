package dev.damselfly.oci.registry;

import dev.damselfly.oci.Descriptor;
import dev.damselfly.oci.Digest;
import dev.damselfly.oci.DigestMismatchException;
import dev.damselfly.oci.ImageReference;
import dev.damselfly.oci.ManifestDocument;
import dev.damselfly.oci.MediaTypes;
import dev.damselfly.oci.RegistryException;
import dev.damselfly.oci.auth.Scope;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/** {@code GET} and {@code HEAD} of {@code /v2/NAME/manifests/REFERENCE} with media-type negotiation. */
final class ManifestPuller {
    /** Manifests larger than this are refused: 4 MiB, the limit Distribution itself applies. */
    static final int MAX_MANIFEST_BYTES = 4 << 20;

    private final RegistryHttp http;

    ManifestPuller(RegistryHttp http) {
        this.http = http;
    }

    ManifestDocument pull(ImageReference ref) throws IOException {
        HttpCall call = call("GET", ref);
        try (RegistryResponse response = http.send(call)) {
            ResponseErrors.require(response, ref.toString(), 200);
            long declared = response.contentLength();
            if (declared > MAX_MANIFEST_BYTES) {
                throw new RegistryException.UnexpectedResponseException(ref.toString(), 200,
                        "manifest of " + declared + " bytes exceeds the 4 MiB limit");
            }
            byte[] bytes = response.body().readNBytes(MAX_MANIFEST_BYTES + 1);
            if (bytes.length > MAX_MANIFEST_BYTES) {
                throw new RegistryException.UnexpectedResponseException(ref.toString(), 200, "manifest exceeds the 4 MiB limit");
            }
            ManifestDocument document = ManifestDocument.parse(bytes, response.header("Content-Type").orElse(null), ref.toString());
            verify(ref, document, response.header("Docker-Content-Digest").orElse(null), response.uri());
            return document;
        }
    }

    Optional<Descriptor> head(ImageReference ref) throws IOException {
        try (RegistryResponse response = http.send(call("HEAD", ref))) {
            if (response.status() == 404) {
                return Optional.empty();
            }
            ResponseErrors.require(response, ref.toString(), 200);
            String digest = response.header("Docker-Content-Digest").orElse(null);
            if (digest == null) {
                throw new RegistryException.UnexpectedResponseException(ref.toString(), 200, "HEAD without Docker-Content-Digest");
            }
            String mediaType = response.header("Content-Type").map(t -> t.split(";")[0].trim()).orElse(MediaTypes.OCI_MANIFEST);
            return Optional.of(new Descriptor(mediaType, Digest.parse(digest), response.contentLength()));
        }
    }

    private HttpCall call(String method, ImageReference ref) {
        URI uri = http.baseUri(ref.apiHost()).resolve("/v2/" + ref.repository() + "/manifests/" + ref.manifestReference());
        return HttpCall.of(method, uri, ref.registry(), Scope.pull(ref.repository()), ref.toString())
                .header("Accept", MediaTypes.manifestAcceptHeader());
    }

    private static void verify(ImageReference ref, ManifestDocument document, String headerDigest, URI source)
            throws IOException {
        Optional<Digest> wanted = ref.digest();
        if (wanted.isPresent()) {
            Digest expected = wanted.get();
            Digest actual = expected.algorithm().equals("sha256") ? document.digest()
                    : Digest.of(expected.algorithm(), expected.newMessageDigest().digest(document.bytes()));
            if (!actual.equals(expected)) {
                throw new DigestMismatchException(expected, actual.toString(), RegistryHttp.redact(source));
            }
        } else if (headerDigest != null && headerDigest.startsWith("sha256:")
                && !headerDigest.equals(document.digest().toString())) {
            throw new DigestMismatchException(Digest.parse(headerDigest), document.digest().toString(), RegistryHttp.redact(source));
        }
    }
}
