/**
 * A real Docker Distribution 2.8 registry process ({@code /usr/bin/docker-registry serve}) per
 * test: free loopback port, fresh filesystem storage with deletes enabled, access log on, and one
 * of three auth modes ({@link dev.damselfly.testkit.registry.RegistryAuth}). Nothing is skipped when
 * the binary is missing: {@link dev.damselfly.testkit.registry.RegistryNotInstalledException} fails
 * the test and says to run {@code scripts/test}, which installs it.
 */
package dev.damselfly.testkit.registry;
