/**
 * Damselfly test kit: the real-registry harness that other modules' tests use.
 *
 * <ul>
 *   <li>{@link dev.damselfly.testkit.registry} starts a real Docker Distribution 2.8 registry
 *       ({@code /usr/bin/docker-registry}) with anonymous, htpasswd or bearer-token auth;</li>
 *   <li>{@link dev.damselfly.testkit.token} is our own Docker token server (JWT, ES256, x5c/kid);</li>
 *   <li>{@link dev.damselfly.testkit.accesslog} parses the registry's access log;</li>
 *   <li>{@link dev.damselfly.testkit.proxy} is a fault-injecting reverse proxy with an S3-like blob
 *       storage endpoint;</li>
 *   <li>{@link dev.damselfly.testkit.image} generates deterministic OCI test images;</li>
 *   <li>{@link dev.damselfly.testkit.skopeo} drives the real {@code skopeo} CLI;</li>
 *   <li>{@link dev.damselfly.testkit.debian} builds (once per machine, cached) a real Debian root filesystem with
 *       {@code debootstrap} and an OCI image of it with {@code umoci}, and compares trees entry by entry;</li>
 *   <li>{@link dev.damselfly.testkit.junit} wires it all into a JUnit 5 extension.</li>
 * </ul>
 *
 * <p>Depends on no other Damselfly module.
 */
package dev.damselfly.testkit;
