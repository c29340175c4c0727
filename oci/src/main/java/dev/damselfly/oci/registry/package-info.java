/**
 * The registry client: {@link dev.damselfly.oci.registry.RegistryClient} is the facade; behind it one
 * package-private class per endpoint ({@code ManifestPuller}, {@code ManifestPusher},
 * {@code BlobPuller}, {@code BlobPusher}) shares one {@code RegistryHttp} transport that adds
 * authentication, retries 5xx and connection resets with backoff (never 4xx), and follows redirects by
 * hand without the {@code Authorization} header when the target is another origin (blob storage behind
 * a redirect must never see the registry token).
 *
 * <p>Blobs are streamed, never held in memory; full blob reads are verified against their digest.
 */
package dev.damselfly.oci.registry;
