/**
 * End-to-end tests: the {@code damselfly} fat jar run as a real process against real registries,
 * checked with independent tools ({@code skopeo}, {@code curl}).
 */
package dev.damselfly.e2e;
